package io.pouch.daemon.network;

import io.pouch.api.PouchException;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What the container manager needs from an attach: the namespace for the OCI spec (null = let the runtime make
 * an empty one, or host networking), lines for /etc/hosts, and the nameservers for resolv.conf (empty = the host's).
 * The namespace is made while the caller prepares the task: {@link #awaitNamespace()} before the runtime joins
 * it (Tasks/Create), {@link #awaitReady()} before the process runs (Tasks/Start).
 */
public record Attachment(String netnsPath, List<String> hostsLines, List<String> nameservers,
                         CompletableFuture<Void> namespace, CompletableFuture<Void> ready) {
    public static final Attachment NONE = new Attachment(null, List.of(), List.of());

    /** An attachment with nothing left to wait for. */
    public Attachment(String netnsPath, List<String> hostsLines, List<String> nameservers) {
        this(netnsPath, hostsLines, nameservers, CompletableFuture.completedFuture(null),
                CompletableFuture.completedFuture(null));
    }

    /** Returns once the namespace file holds the namespace; throws the set-up's failure. */
    public void awaitNamespace() {
        await(namespace);
    }

    /** Returns once interfaces, port rules and the record are in place; throws the set-up's failure. */
    public void awaitReady() {
        await(ready);
    }

    private static void await(CompletableFuture<Void> f) {
        try {
            f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof PouchException pe) {
                throw pe;
            }
            throw PouchException.internal("cannot set up the container's network: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }
}
