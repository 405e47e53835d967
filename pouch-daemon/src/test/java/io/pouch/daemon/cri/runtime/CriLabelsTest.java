package io.pouch.daemon.cri.runtime;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CriLabelsTest {
    @Test
    void kubeletsLabelsAloneComeBack() {
        Map<String, String> engine = CriLabels.container(Map.of("io.kubernetes.pod.name", "web", "app", "x"), "sb1");
        assertEquals("sb1", engine.get(CriLabels.SANDBOX_ID));
        assertEquals(CriLabels.CONTAINER, engine.get(CriLabels.TYPE));
        assertEquals(Map.of("io.kubernetes.pod.name", "web", "app", "x"), CriLabels.kubelet(engine));
        assertEquals(Map.of("app", "x"), CriLabels.kubelet(CriLabels.sandbox(Map.of("app", "x"))));
        Map<String, String> other = new HashMap<>(Map.of("io.pouch.cri.anything", "1", "io.pouch.other", "2"));
        assertEquals(Map.of("io.pouch.other", "2"), CriLabels.kubelet(other));
        assertEquals(Map.of(), CriLabels.kubelet(null));
    }

    @Test
    void ourLabelsWinOverKubeletsOfTheSameKey() {
        assertEquals(CriLabels.SANDBOX, CriLabels.sandbox(Map.of(CriLabels.TYPE, "forged")).get(CriLabels.TYPE));
        assertEquals("real", CriLabels.container(Map.of(CriLabels.SANDBOX_ID, "forged"), "real")
                .get(CriLabels.SANDBOX_ID));
    }

    @Test
    void namesHaveDockershimsForm() {
        assertEquals("k8s_POD_web_shop_u-1_0", CriLabels.sandboxName("web", "shop", "u-1", 0));
        assertEquals("k8s_app_web_shop_u-1_3", CriLabels.containerName("app", "web", "shop", "u-1", 3));
    }
}
