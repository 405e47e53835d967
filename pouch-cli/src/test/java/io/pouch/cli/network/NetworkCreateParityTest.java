package io.pouch.cli.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.CliException;
import io.pouch.cli.testing.DockerCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code pouch network create} sends exactly the body the docker CLI 28 sends for the same flags. */
class NetworkCreateParityTest {
    private static DockerCapture docker;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(DockerCapture.DOCKER), "the docker CLI is at " + DockerCapture.DOCKER);
        docker = new DockerCapture();
    }

    @AfterAll
    static void stop() throws Exception {
        if (docker != null) {
            docker.close();
        }
    }

    private static JsonNode pouch(List<String> args) {
        NetworkCommands.Create cmd = new NetworkCommands.Create();
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        return cmd.flags.body(cmd.name != null ? cmd.name : cmd.nameFlag);
    }

    private static void same(String... args) throws Exception {
        List<String> dockerArgs = new ArrayList<>(List.of("network", "create"));
        dockerArgs.addAll(List.of(args));
        assertEquals(ipamConfigInSubnetOrder(docker.send(Map.of(), dockerArgs)),
                ipamConfigInSubnetOrder(pouch(List.of(args))), List.of(args).toString());
    }

    /** The docker CLI builds IPAM.Config from a Go map, so its order changes from run to run; compare it as a set. */
    private static JsonNode ipamConfigInSubnetOrder(JsonNode body) {
        JsonNode copy = body.deepCopy();
        if (copy.path("IPAM").path("Config") instanceof com.fasterxml.jackson.databind.node.ArrayNode config) {
            List<JsonNode> entries = new ArrayList<>();
            config.forEach(entries::add);
            entries.sort(java.util.Comparator.comparing(e -> e.path("Subnet").asText()));
            config.removeAll();
            config.addAll(entries);
        }
        return copy;
    }

    private static void refusedByBoth(String... args) {
        List<String> dockerArgs = new ArrayList<>(List.of("network", "create"));
        dockerArgs.addAll(List.of(args));
        IllegalStateException d = assertThrows(IllegalStateException.class, () -> docker.send(Map.of(), dockerArgs));
        CliException p = assertThrows(CliException.class, () -> pouch(List.of(args)), List.of(args).toString());
        assertTrue(d.getMessage().contains(p.getMessage()), "docker: " + d.getMessage() + "\npouch: " + p.getMessage());
    }

    @Test
    void plain() throws Exception {
        same("n1");
    }

    @Test
    void everyFlag() throws Exception {
        same("--ipam-driver", "foo", "--subnet", "10.1.0.0/16", "--subnet", "10.2.0.0/16", "--subnet", "fd00::/64",
                "--ip-range", "10.1.1.0/24", "--gateway", "10.2.0.1", "--gateway", "fd00::1",
                "--aux-address", "a=10.1.0.5", "--aux-address", "b=10.2.0.5", "--ipam-opt", "x=y", "--ipv6",
                "--internal", "--attachable", "--label", "l=v", "--label", "bare", "-o",
                "com.docker.network.bridge.name=br1", "--scope", "local", "--config-only", "-d", "macvlan", "n2");
        same("--ipv4=false", "--ipv6=false", "--config-from", "n2", "--ingress", "n3");
    }

    @Test
    void addressesOutsideTheirSubnetsAreRefused() {
        refusedByBoth("--gateway", "10.0.0.1", "n");
        refusedByBoth("--subnet", "10.1.0.0/16", "--gateway", "10.2.0.1", "n");
        refusedByBoth("--subnet", "10.1.0.0/16", "--ip-range", "10.2.0.0/24", "n");
        refusedByBoth("--subnet", "10.1.0.0/16", "--aux-address", "a=10.2.0.9", "n");
        refusedByBoth("--subnet", "10.1.0.0/16", "--subnet", "10.1.2.0/24", "n");
        refusedByBoth("--subnet", "10.1.0.0/16", "--subnet", "10.2.0.0/16", "--ip-range", "10.1.1.0/24",
                "--ip-range", "10.1.2.0/24", "n");
    }

    @Test
    void pouchsOwnSpellings() {
        JsonNode b = pouch(List.of("--name", "n4", "--enable-ipv6", "--option", "a=b", "-l", "k=v"));
        assertEquals("n4", b.get("Name").asText());
        assertTrue(b.get("EnableIPv6").asBoolean());
        assertEquals("{\"a\":\"b\"}", b.get("Options").toString());
        assertEquals("{\"k\":\"v\"}", b.get("Labels").toString());
    }
}
