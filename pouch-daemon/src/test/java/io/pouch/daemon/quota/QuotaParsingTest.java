package io.pouch.daemon.quota;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuotaParsingTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void sizesArePowersOf1024WithPouchsUnits() {
        assertEquals(10 * MIB, QuotaSize.parse("x", "10m"));
        assertEquals(10 * MIB, QuotaSize.parse("x", "10MB"));
        assertEquals(10 * MIB, QuotaSize.parse("x", "10MiB"));
        assertEquals(10L * 1024 * MIB, QuotaSize.parse("x", "10g"));
        assertEquals(10L * 1024 * MIB, QuotaSize.parse("x", "10GB"));
        assertEquals(1536 * MIB, QuotaSize.parse("x", "1.5G"));
        assertEquals(4096, QuotaSize.parse("x", "4096"));
        assertEquals(4096, QuotaSize.parse("x", "4k"));
        assertEquals(1L << 40, QuotaSize.parse("x", "1t"));
    }

    @Test
    void badSizesAreRefusedNamingTheField() {
        for (String bad : new String[]{"", "ten", "10x", "-1g", "0", "0g", "10 gigs", "99999999999E"}) {
            PouchException e = assertThrows(PouchException.class, () -> QuotaSize.parse("DiskQuota \"/\"", bad), bad);
            assertEquals(400, e.status(), bad);
            assertTrue(e.getMessage().startsWith("DiskQuota \"/\""), e.getMessage());
        }
    }

    private static Map<String, String> rules(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void theRootfsLimitFollowsPouchsRules() {
        assertEquals(OptionalLong.of(10 * MIB), DiskQuotaRules.parse(rules("/", "10m")).limitFor("/"));
        assertEquals(OptionalLong.of(10 * MIB), DiskQuotaRules.parse(rules(".*", "10m")).limitFor("/"));
        assertEquals(OptionalLong.of(10 * MIB), DiskQuotaRules.parse(rules(".*", "10m")).limitFor("/data"));
        assertEquals(OptionalLong.of(MIB), DiskQuotaRules.parse(rules("/&/data", "1m")).limitFor("/data"));
        assertEquals(OptionalLong.of(MIB), DiskQuotaRules.parse(rules("/&/data", "1m")).limitFor("/"));
        assertTrue(DiskQuotaRules.parse(rules("/data", "1m")).limitFor("/").isEmpty());
        // an exact path wins over an expression, an expression over .*
        DiskQuotaRules r = DiskQuotaRules.parse(rules(".*", "5m", "/d.*", "2m", "/data", "1m"));
        assertEquals(OptionalLong.of(MIB), r.limitFor("/data"));
        assertEquals(OptionalLong.of(2 * MIB), r.limitFor("/dx"));
        assertEquals(OptionalLong.of(5 * MIB), r.limitFor("/"));
        assertTrue(DiskQuotaRules.parse(null).isEmpty());
        assertTrue(DiskQuotaRules.parse(Map.of()).limitFor("/").isEmpty());
    }

    @Test
    void badRulesAreRefusedByName() {
        for (Map<String, String> bad : new Map[]{rules("", "1g"), rules("/&data", "1g"), rules("[", "1g"),
                rules("/", "lots")}) {
            PouchException e = assertThrows(PouchException.class, () -> DiskQuotaRules.parse(bad), bad.toString());
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("DiskQuota"), e.getMessage());
        }
    }

    @Test
    void quotaIdsFollowPouch() {
        DiskQuotaRules one = DiskQuotaRules.parse(rules("/", "1g"));
        assertEquals(QuotaId.NONE, QuotaId.parse(null, one));
        assertEquals(QuotaId.NONE, QuotaId.parse("", DiskQuotaRules.parse(null)));
        assertEquals(QuotaId.NONE, QuotaId.parse("0", one));
        assertEquals(QuotaId.AUTO, QuotaId.parse("-1", one));
        assertEquals(16777217, QuotaId.parse("16777217", one));
        for (String bad : new String[]{"x", "99999999999"}) {
            PouchException e = assertThrows(PouchException.class, () -> QuotaId.parse(bad, one));
            assertTrue(e.getMessage().contains("QuotaID"), e.getMessage());
        }
        assertThrows(PouchException.class, () -> QuotaId.parse("7", DiskQuotaRules.parse(null)));
        DiskQuotaRules two = DiskQuotaRules.parse(rules("/", "1g", "/d", "1g"));
        assertThrows(PouchException.class, () -> QuotaId.parse("7", two));
    }

    @Test
    void aRuleReachingAMountIsRefusedByName() {
        PouchException e = assertThrows(PouchException.class,
                () -> RootfsQuota.validate(rules(".*", "1g"), "-1", java.util.List.of("/data")));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("DiskQuota \".*\"") && e.getMessage().contains("/data"), e.getMessage());
        assertEquals(OptionalLong.of(1L << 30),
                RootfsQuota.validate(rules("/", "1g"), "-1", java.util.List.of("/data")).limitFor("/"));
    }
}
