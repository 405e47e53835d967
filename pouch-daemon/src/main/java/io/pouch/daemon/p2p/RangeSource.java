package io.pouch.daemon.p2p;
/** The host's own registry access for one blob (its credentials stay here): bytes [offset, offset+length). */
@FunctionalInterface public interface RangeSource { byte[] read(long offset, int length) throws java.io.IOException; }
