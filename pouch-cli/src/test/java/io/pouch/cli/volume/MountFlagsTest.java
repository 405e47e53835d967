package io.pouch.cli.volume;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountFlagsTest {
    @Test
    void volumeMountWithQuotedOptions() {
        ObjectNode m = MountFlags.parseMount("type=volume,src=data,dst=/d,readonly,volume-driver=local,"
                + "\"volume-opt=o=size=1m,uid=1000\",volume-opt=type=tmpfs,volume-nocopy=true,volume-label=a=b");
        assertEquals("volume", m.get("Type").asText());
        assertEquals("data", m.get("Source").asText());
        assertEquals("/d", m.get("Target").asText());
        assertTrue(m.get("ReadOnly").asBoolean());
        assertEquals("size=1m,uid=1000", m.at("/VolumeOptions/DriverConfig/Options/o").asText());
        assertEquals("tmpfs", m.at("/VolumeOptions/DriverConfig/Options/type").asText());
        assertEquals("local", m.at("/VolumeOptions/DriverConfig/Name").asText());
        assertTrue(m.at("/VolumeOptions/NoCopy").asBoolean());
        assertEquals("b", m.at("/VolumeOptions/Labels/a").asText());
    }

    @Test
    void bindAndTmpfs() {
        ObjectNode b = MountFlags.parseMount("type=bind,source=/srv,target=/s,bind-propagation=rslave,ro=false");
        assertEquals("rslave", b.at("/BindOptions/Propagation").asText());
        assertEquals(false, b.get("ReadOnly").asBoolean());
        ObjectNode t = MountFlags.parseMount("type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1770");
        assertEquals(1 << 20, t.at("/TmpfsOptions/SizeBytes").asLong());
        assertEquals(01770, t.at("/TmpfsOptions/Mode").asInt());
        assertEquals("volume", MountFlags.parseMount("target=/x").get("Type").asText());
    }

    @Test
    void malformedMountsAreCliErrors() {
        for (String bad : List.of("bogus=1", "type=tmpfs,tmpfs-mode=9z", "src", "\"type=volume", "volume-opt=x")) {
            CliException e = assertThrows(CliException.class, () -> MountFlags.parseMount(bad));
            assertTrue(e.getMessage().contains("for \"--mount\" flag"), e.getMessage());
        }
    }

    @Test
    void tmpfsAndVolumesFromFields() {
        ObjectNode hc = Json.MAPPER.createObjectNode();
        MountFlags.apply(hc, List.of(), List.of("/run:size=64m,mode=1777", "/cache"), List.of("c1:ro"), "plug");
        assertEquals("size=64m,mode=1777", hc.at("/Tmpfs/~1run").asText());
        assertEquals("", hc.at("/Tmpfs/~1cache").asText());
        assertEquals("c1:ro", hc.at("/VolumesFrom/0").asText());
        assertEquals("plug", hc.get("VolumeDriver").asText());
    }
}
