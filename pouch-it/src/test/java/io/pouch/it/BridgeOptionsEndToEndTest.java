package io.pouch.it;

import io.pouch.testing.HostNetworks;
import io.pouch.testing.HostNetworks.Subnet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default bridge's daemon flags: --mtu, --fixed-cidr, --iptables=false (and --ipforward=false), on a private
 * pouchd with its own bridge; and a user network's MTU option.
 */
@Tag("e2e")
class BridgeOptionsEndToEndTest {
    private static PouchdHarness d;
    private static Subnet subnet;

    @BeforeAll
    static void daemon() {
        subnet = HostNetworks.reserveSubnet();
        d = PouchdHarness.startPrivate("pbo", subnet, base -> { }, List.of("--mtu", "1400",
                "--fixed-cidr", subnet.cidr(128, 25), "--iptables=false", "--ipforward=false"));
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close();
        }
    }

    @Test
    void defaultBridgeTakesMtuAndFixedCidr() {
        String out = d.docker("run", "--rm", "busybox", "sh", "-c",
                "cat /sys/class/net/eth0/mtu; ip addr show eth0 | grep 'inet '").ok().out();
        String[] lines = out.strip().split("\n");
        assertEquals("1400", lines[0].trim(), out);
        assertTrue(lines[1].matches(".*inet " + Pattern.quote(subnet.prefix())
                + "(12[89]|1[3-9][0-9]|2[0-5][0-9])/24 .*"), out);
        assertEquals("1400", Cmd.run(List.of("cat", "/sys/class/net/" + d.bridge() + "/mtu"), Map.of(), null,
                Duration.ofSeconds(10)).trimmed());
        assertEquals(subnet.cidr(128, 25), d.docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).IPRange}}",
                "bridge").ok().trimmed());
    }

    @Test
    void withoutIptablesNoRuleIsWritten() {
        String n = "bo-" + Long.toHexString(System.nanoTime());
        try {
            d.docker("run", "-d", "--name", n, "-p", "127.0.0.1::80", "busybox", "sleep", "100").ok();
            for (String table : List.of("nat", "filter")) {
                String rules = Cmd.run(List.of("iptables-save", "-t", table), Map.of(), null, Duration.ofSeconds(10))
                        .out();
                assertFalse(rules.contains(d.bridge()), table + ":\n" + rules);
            }
        } finally {
            d.docker("rm", "-f", n);
        }
    }

    @Test
    void userNetworkMtuOption() {
        String net = "mtu-" + Long.toHexString(System.nanoTime());
        try {
            // a subnet of its own: the daemon's default pools are the same for every pouchd on the host
            d.docker("network", "create", "--subnet", HostNetworks.reserveSubnet().cidr(), "-o",
                    "com.docker.network.driver.mtu=1300", net).ok();
            assertEquals("1300", d.docker("run", "--rm", "--network", net, "busybox", "cat",
                    "/sys/class/net/eth0/mtu").ok().trimmed());
            Cmd.Result bad = d.docker("network", "create", "-o", "com.docker.network.driver.mtu=9", net + "x");
            assertNotEquals(0, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("com.docker.network.driver.mtu"), bad.toString());
            assertNotEquals(0, d.docker("network", "inspect", net + "x").exit());
        } finally {
            d.docker("network", "rm", net);
        }
    }
}
