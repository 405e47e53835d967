package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The facade with stand-in plugins: shell scripts that log each call (command, plugin, interface, netns,
 * CNI_ARGS, stdin) and print a fixed result, so the order of calls and what each was given can be asserted.
 */
class CniNetworkTest {
    private static final String RESULT = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\","
            + "\"sandbox\":\"/ns\"}],\"ips\":[{\"address\":\"10.9.0.7/24\",\"interface\":0}]}";
    private static final String ID = "0123456789abcdef";

    @TempDir
    Path tmp;
    Path conf;
    Path bin;
    Path cache;
    Path log;
    Path netns;

    record Call(String command, String plugin, String ifName, String netns, String cniArgs, JsonNode stdin) {
    }

    @BeforeEach
    void plugins() throws IOException {
        conf = Files.createDirectories(tmp.resolve("net.d"));
        bin = Files.createDirectories(tmp.resolve("bin"));
        cache = tmp.resolve("cache");
        log = tmp.resolve("calls");
        netns = Files.createFile(tmp.resolve("netns"));
        plugin("loopback", "ADD) printf '%s' '{\"cniVersion\":\"0.3.1\",\"ips\":[{\"address\":\"127.0.0.1/8\"}]}' ;;");
        plugin("fakebr", "ADD) printf '%s' '" + RESULT + "' ;;");
        plugin("fakepm", "ADD) printf '%s' '" + RESULT + "' ;;");
        plugin("fakefail", "ADD) printf '%s' '{\"code\":11,\"msg\":\"boom\",\"details\":\"bad thing\"}'; exit 1 ;;");
        plugin("fakeslow", "ADD) sleep 30 ;;");
    }

    private void plugin(String name, String cases) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\nin=$(cat)\nprintf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' \"$CNI_COMMAND\" "
                + "\"$(basename \"$0\")\" \"$CNI_IFNAME\" \"$CNI_NETNS\" \"$CNI_ARGS\" \"$in\" >> '" + log + "'\n"
                + "case \"$CNI_COMMAND\" in\n" + cases + "\nesac\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void network(String file, String version, String... types) throws IOException {
        StringBuilder b = new StringBuilder("{\"cniVersion\":\"" + version + "\",\"name\":\"testnet\",\"plugins\":[");
        for (int i = 0; i < types.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"").append(types[i]).append("\"")
                    .append(types[i].equals("fakepm") ? ",\"capabilities\":{\"portMappings\":true}" : "").append('}');
        }
        Files.writeString(conf.resolve(file), b.append("]}"));
    }

    private List<Call> calls() {
        try {
            if (!Files.exists(log)) {
                return List.of();
            }
            return Files.readAllLines(log).stream().map(l -> {
                String[] f = l.split("\t", 6);
                try {
                    return new Call(f[0], f[1], f[2], f[3], f[4], Json.MAPPER.readTree(f[5]));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> summary(List<Call> calls) {
        return calls.stream().map(c -> c.command() + " " + c.plugin() + " " + c.ifName()).toList();
    }

    /**
     * The calls on eth0 in the order given, and those on lo (the loopback plugin runs beside the network's chain,
     * so its place among the others is not fixed).
     */
    private static void assertChain(List<String> expected, List<Call> calls) {
        List<String> got = summary(calls);
        assertEquals(expected.stream().filter(c -> !c.endsWith(" lo")).toList(),
                got.stream().filter(c -> !c.endsWith(" lo")).toList(), got.toString());
        assertEquals(expected.stream().filter(c -> c.endsWith(" lo")).sorted().toList(),
                got.stream().filter(c -> c.endsWith(" lo")).sorted().toList(), got.toString());
    }

    private static List<Call> onEth0(List<Call> calls) {
        return calls.stream().filter(c -> !c.ifName().equals("lo")).toList();
    }

    private CniNetwork cni() {
        return CniNetwork.load(conf, List.of(tmp.resolve("nobin"), bin), cache);
    }

    private PodNetworkRequest request(List<PortMapping> ports) {
        return new PodNetworkRequest(ID, netns.toString(), "web", "default", "uid-1", ports);
    }

    @Test
    void statusTurnsReadyWhenAConfigWithAllItsPluginsAppears() throws IOException {
        CniNetwork cni = cni();
        CniNetwork.Status s = cni.status();
        assertFalse(s.ready());
        assertEquals("NetworkPluginNotReady", s.reason());
        assertEquals("cni config uninitialized: no network config found in " + conf, s.message());
        network("10-test.conflist", "1.0.0", "fakebr", "nosuch");
        s = cni.status();
        assertFalse(s.ready());
        assertTrue(s.message().contains("plugin \"nosuch\" of network \"testnet\""), s.message());
        assertEquals(503, assertThrows(PouchException.class, () -> cni.setUp(request(List.of()))).status());
        network("10-test.conflist", "1.0.0", "fakebr", "fakepm");
        assertEquals(new CniNetwork.Status(true, "", ""), cni.status());
    }

    @Test
    void setUpChainsResultsAndTearDownUsesTheCache() throws IOException {
        network("10-test.conflist", "1.0.0", "fakebr", "fakepm");
        CniNetwork cni = cni();
        PodNetworkResult r = cni.setUp(request(List.of(new PortMapping(8080, 80, "TCP", ""))));
        assertEquals(new PodNetworkResult(List.of("10.9.0.7"), "eth0"), r);
        List<Call> calls = calls();
        assertChain(List.of("ADD loopback lo", "ADD fakebr eth0", "ADD fakepm eth0"), calls);
        assertEquals("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=" + ID
                + ";K8S_POD_UID=uid-1", onEth0(calls).get(0).cniArgs());
        assertEquals(netns.toString(), onEth0(calls).get(0).netns());
        assertEquals("testnet", onEth0(calls).get(0).stdin().get("name").asText());
        assertNull(onEth0(calls).get(0).stdin().get("prevResult"));
        assertFalse(onEth0(calls).get(0).stdin().has("runtimeConfig"));
        assertEquals(Json.MAPPER.readTree(RESULT), onEth0(calls).get(1).stdin().get("prevResult"));
        assertEquals(Json.MAPPER.readTree("{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,"
                + "\"protocol\":\"tcp\"}]}"), onEth0(calls).get(1).stdin().get("runtimeConfig"));
        assertTrue(Files.exists(cache.resolve("results/testnet-" + ID + "-eth0")));
        assertTrue(Files.exists(cache.resolve("results/cni-loopback-" + ID + "-lo")));

        // the configuration changes: the pod is still torn down with the one it was set up with
        Files.delete(conf.resolve("10-test.conflist"));
        network("10-test.conflist", "1.0.0", "fakebr");
        Files.delete(log);
        cni.check(request(List.of()));
        assertEquals(List.of("CHECK fakebr eth0", "CHECK fakepm eth0"), summary(calls()));
        assertEquals(Json.MAPPER.readTree(RESULT), calls().get(0).stdin().get("prevResult"));
        Files.delete(log);
        Files.delete(netns);
        cni.tearDown(request(List.of()));
        calls = calls();
        assertChain(List.of("DEL fakepm eth0", "DEL fakebr eth0", "DEL loopback lo"), calls);
        calls = onEth0(calls);
        assertEquals("", calls.get(0).netns(), "a network namespace that is gone is passed as none");
        assertEquals(Json.MAPPER.readTree(RESULT), calls.get(0).stdin().get("prevResult"));
        assertEquals(8080, calls.get(0).stdin().at("/runtimeConfig/portMappings/0/hostPort").asInt(),
                "DEL gets the mappings the pod was set up with");
        assertFalse(Files.exists(cache.resolve("results/testnet-" + ID + "-eth0")));
        assertFalse(Files.exists(cache.resolve("results/cni-loopback-" + ID + "-lo")));

        // nothing cached: DEL with the configuration in effect, without a previous result
        Files.delete(log);
        cni.tearDown(request(List.of()));
        calls = calls();
        assertChain(List.of("DEL fakebr eth0", "DEL loopback lo"), calls);
        assertNull(onEth0(calls).get(0).stdin().get("prevResult"));
        assertEquals(404, assertThrows(PouchException.class, () -> cni.check(request(List.of()))).status());
    }

    @Test
    void aFailedAddIsUndone() throws IOException {
        network("10-test.conflist", "1.0.0", "fakebr", "fakefail", "fakepm");
        PouchException e = assertThrows(PouchException.class, () -> cni().setUp(request(List.of())));
        assertEquals("CNI plugin \"fakefail\" (ADD, network \"testnet\") failed: boom: bad thing (code 11)",
                e.getMessage());
        assertChain(List.of("ADD loopback lo", "ADD fakebr eth0", "ADD fakefail eth0", "DEL fakefail eth0",
                "DEL fakebr eth0", "DEL loopback lo"), calls());
        assertEquals(Json.MAPPER.readTree(RESULT), onEth0(calls()).get(2).stdin().get("prevResult"));
        assertFalse(Files.exists(cache.resolve("results/testnet-" + ID + "-eth0")));
        assertFalse(Files.exists(cache.resolve("results/cni-loopback-" + ID + "-lo")));
    }

    @Test
    void oldVersionsGetNoCheckAndNoPrevResultOnDel() throws IOException {
        network("10-test.conflist", "0.3.1", "fakebr", "fakepm");
        CniNetwork cni = cni();
        cni.setUp(request(List.of()));
        Files.delete(log);
        cni.check(request(List.of()));
        assertEquals(List.of(), calls());
        cni.tearDown(request(List.of()));
        assertChain(List.of("DEL fakepm eth0", "DEL fakebr eth0", "DEL loopback lo"), calls());
        assertNull(onEth0(calls()).get(0).stdin().get("prevResult"));
    }

    @Test
    void aPluginThatHangsIsKilled() throws IOException {
        network("10-test.conflist", "1.0.0", "fakeslow");
        CniNetwork cni = CniNetwork.load(conf, List.of(bin), cache, Duration.ofMillis(300));
        long start = System.nanoTime();
        PouchException e = assertThrows(PouchException.class, () -> cni.setUp(request(List.of())));
        assertTrue(e.getMessage().startsWith("CNI plugin \"fakeslow\" (ADD, network \"testnet\") did not finish"),
                e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "killed, not waited for");
        assertChain(List.of("ADD loopback lo", "ADD fakeslow eth0", "DEL fakeslow eth0", "DEL loopback lo"),
                calls());
    }

    @Test
    void badRequestsAreRefused() throws IOException {
        network("10-test.conflist", "1.0.0", "fakebr");
        CniNetwork cni = cni();
        assertEquals(400, assertThrows(PouchException.class, () -> cni.setUp(
                new PodNetworkRequest("../x", netns.toString(), "a", "b", "c", null))).status());
        assertEquals(400, assertThrows(PouchException.class, () -> cni.setUp(
                new PodNetworkRequest(ID, tmp.resolve("none").toString(), "a", "b", "c", null))).status());
        assertEquals(List.of(), calls());
    }
}
