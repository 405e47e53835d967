package io.pouch.daemon.p2p;
public record P2pSettings(boolean enabled, String scheduler, String listen, String advertise, java.nio.file.Path caFile,
        java.nio.file.Path certFile, java.nio.file.Path keyFile, String token, int pieceSize,
        long uploadRateLimit, int maxParents) {}   // pieceSize default 4 MiB; uploadRateLimit bytes/s, 0 = none
