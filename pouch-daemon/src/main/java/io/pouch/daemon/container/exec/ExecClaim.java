package io.pouch.daemon.container.exec;

import java.util.concurrent.CompletableFuture;

/** An exec claimed by a start, and its preparation under way since the create (null: none, made when awaited). */
record ExecClaim(Exec exec, CompletableFuture<PreparedProcess> preparation) {
}
