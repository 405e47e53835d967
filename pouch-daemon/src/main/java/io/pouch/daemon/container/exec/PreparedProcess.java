package io.pouch.daemon.container.exec;

import io.pouch.daemon.container.io.ContainerIO;

/**
 * A process made ready to start: its IO (null when the FIFOs could not be made: then {@code error} says why) and,
 * when {@code error} is null, registered in the shim.
 */
record PreparedProcess(ContainerIO io, RuntimeException error) {
}
