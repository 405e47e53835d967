package io.pouch.daemon.registry;

import io.pouch.api.PouchException;
import io.pouch.daemon.config.RegistryConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryPureLogicTest {

    private static String b64url(String s) {
        return Base64.getUrlEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void registryAuthHeaderVariants() {
        assertTrue(Credentials.fromHeader(null).isEmpty());
        assertTrue(Credentials.fromHeader("e30=").isEmpty());
        Credentials c = Credentials.fromHeader(b64url("{\"username\":\"u\",\"password\":\"p?>\",\"serveraddress\":\"h:1\"}"));
        assertEquals("u", c.username());
        assertEquals("p?>", c.password());
        assertEquals("h:1", c.serverAddress());
        // standard base64 without padding, as some clients send it
        String std = Base64.getEncoder().withoutPadding().encodeToString("{\"identitytoken\":\"tok\"}".getBytes());
        assertEquals("tok", Credentials.fromHeader(std).identityToken());
        // the "auth" field: base64 user:password
        Credentials a = Credentials.fromHeader(b64url("{\"auth\":\"" + Base64.getEncoder().encodeToString("x:y:z".getBytes()) + "\"}"));
        assertEquals("x", a.username());
        assertEquals("y:z", a.password());
        PouchException e = assertThrows(PouchException.class, () -> Credentials.fromHeader("!!!"));
        assertEquals(400, e.status());
        assertThrows(PouchException.class, () -> Credentials.fromHeader(b64url("not json")));
    }

    @Test
    void loopbackAndListedRegistriesAreInsecure() {
        RegistryClient c = new RegistryClient(new RegistryConfig("docker.io", List.of(), List.of("myreg.example:5000"),
                Path.of("/nonexistent"), null));
        assertTrue(c.insecure("127.0.0.1:5000"));
        assertTrue(c.insecure("localhost:5000"));
        assertTrue(c.insecure("[::1]:5000"));
        assertTrue(c.insecure("myreg.example:5000"));
        assertFalse(c.insecure("myreg.example"));
        assertFalse(c.insecure("registry-1.docker.io"));
        assertFalse(c.insecure("10.1.2.3:5000"));
    }

    @Test
    void dockerHubMapsToItsApiHostAndMirrorsComeFirst() {
        RegistryClient c = new RegistryClient(new RegistryConfig("docker.io", List.of("https://mirror.example/", "m2:5000"),
                List.of(), Path.of("/x"), null));
        assertEquals(List.of("mirror.example", "m2:5000", "registry-1.docker.io"), c.pullHosts("docker.io"));
        assertEquals(List.of("127.0.0.1:5000"), c.pullHosts("127.0.0.1:5000"));
    }

    @Test
    void aMirrorNamingItsRegistryServesThatRegistryOnly() {
        RegistryClient c = new RegistryClient(new RegistryConfig("docker.io", List.of("http://hub-mirror:5000",
                "registry.k8s.io=http://127.0.0.1:5001/", "gcr.io=127.0.0.1:5002", "docker.io=m3:5000"),
                List.of(), Path.of("/x"), null));
        assertEquals(List.of("127.0.0.1:5001", "registry.k8s.io"), c.pullHosts("registry.k8s.io"));
        assertEquals(List.of("127.0.0.1:5002", "gcr.io"), c.pullHosts("gcr.io"));
        assertEquals(List.of("hub-mirror:5000", "m3:5000", "registry-1.docker.io"), c.pullHosts("docker.io"));
        assertEquals(List.of("quay.io"), c.pullHosts("quay.io"));
    }

    @Test
    void registryErrorsReadAsDockerPrintsThem() {
        byte[] body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{}}]}"
                .getBytes();
        assertEquals("manifest unknown: manifest unknown", Repository.registryError(body, "x"));
        assertEquals("status 500", Repository.registryError("<html>".getBytes(), "status 500"));
    }

    @Test
    void proxyAddressParsing() {
        assertEquals("proxy.example", RegistryClient.proxyAddress("http://proxy.example:3128").getHostString());
        assertEquals(3128, RegistryClient.proxyAddress("proxy.example:3128").getPort());
        assertEquals(80, RegistryClient.proxyAddress("proxy.example").getPort());
    }

    @Test
    void sha256OfBytes() {
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Repository.sha256(new byte[0]));
        assertNull(null);
    }
}
