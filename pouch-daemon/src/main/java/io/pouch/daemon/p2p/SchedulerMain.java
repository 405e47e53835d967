package io.pouch.daemon.p2p;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The standalone P2P scheduler from pouchd's own build:
 * {@code java -cp <pouchd classpath> io.pouch.daemon.p2p.SchedulerMain --listen ADDR
 * (--ca F --cert F --key F | --token T)}.
 */
@Command(name = "pouch-p2p-scheduler", mixinStandardHelpOptions = true,
        description = "Runs the P2P scheduler that tells pouchd peers where to get each piece of a blob.")
public final class SchedulerMain implements Callable<Integer> {
    @Option(names = "--listen", required = true, description = "host:port to listen on")
    String listen;
    @Option(names = "--ca", description = "PEM file of the cluster CA (mutual TLS)")
    Path ca;
    @Option(names = "--cert", description = "PEM certificate of this scheduler, signed by the CA")
    Path cert;
    @Option(names = "--key", description = "PEM PKCS#8 key of the certificate")
    Path key;
    @Option(names = "--token", description = "shared bearer token over plain HTTP instead of TLS (weaker: tests only)")
    String token;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SchedulerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        P2pSecurity security;
        try {
            security = P2pSecurity.of(new P2pSettings(true, null, listen, null, ca, cert, key, token, 0, 0, 0));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage().replace("ca-file", "--ca").replace("cert-file", "--cert")
                    .replace("key-file", "--key").replace("token", "--token"));
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (SchedulerServer server = SchedulerServer.start(listen, security)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            System.out.println("P2P scheduler listening on " + server.address().getHostString() + ":"
                    + server.address().getPort());
            stopped.await();
        }
        return 0;
    }
}
