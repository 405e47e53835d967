package io.pouch.daemon.metrics;

import io.pouch.api.PouchException;
import io.pouch.daemon.image.ImageService;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeteredTest {
    /** An image service whose delete fails for "missing" and whose other methods are not expected. */
    private static ImageService images() {
        return (ImageService) Proxy.newProxyInstance(ImageService.class.getClassLoader(),
                new Class<?>[]{ImageService.class}, (p, m, args) -> {
                    if (m.getName().equals("delete")) {
                        if (args[0].equals("missing")) {
                            throw PouchException.notFound("No such image: missing");
                        }
                        return List.of();
                    }
                    if (m.getName().equals("planSave")) {
                        return List.of();
                    }
                    throw new AssertionError(m.getName());
                });
    }

    private static double value(Metrics.Counter c, String action) {
        var adder = c.series().get(List.of(action));
        return adder == null ? 0 : adder.sum();
    }

    @Test
    void deletesAreCountedWithTheirOutcomeAndErrorsPassThroughUnwrapped() {
        Metrics m = new Metrics();
        ImageService s = Metered.images(images(), m);
        s.delete("busybox", false);
        PouchException e = assertThrows(PouchException.class, () -> s.delete("missing", false));
        assertEquals(404, e.status());
        s.planSave(List.of("busybox"));
        assertEquals(2, value(m.imageActions, "delete"));
        assertEquals(1, value(m.imageSuccessActions, "delete"));
        assertEquals(2, m.imageActionSeconds.series().get(List.of("delete")).count());
        assertEquals(1, m.imageActions.series().size(), "only Pouch's actions are counted");
    }

    @Test
    void containerRemoveIsPouchsDeleteAction() {
        assertEquals("delete", Metered.CONTAINER_ACTIONS.get("remove"));
        assertTrue(Metered.CONTAINER_ACTIONS.keySet().containsAll(List.of("create", "start", "stop", "kill")));
    }
}
