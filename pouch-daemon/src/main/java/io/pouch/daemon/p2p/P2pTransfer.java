package io.pouch.daemon.p2p;
public record P2pTransfer(long fromRegistry, long fromPeers) {}
