package io.pouch.daemon.container.commit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class UpperTarTest {
    @Test
    void filesAndDirectoriesWithoutAttributesAreArchivedParentsFirst(@TempDir Path upper) throws IOException {
        Files.createDirectories(upper.resolve("etc/app"));
        Files.writeString(upper.resolve("etc/app/conf"), "x=1\n");
        Files.createLink(upper.resolve("etc/app/conf2"), upper.resolve("etc/app/conf"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UpperTar.write(upper, out);

        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName() + (e.isLink() ? " -> " + e.getLinkName() : ""));
            }
        }
        assertEquals(List.of("etc/", "etc/app/", "etc/app/conf", "etc/app/conf2 -> etc/app/conf"), names);
    }

    @Test
    void aFileWithAnExtendedAttributeIsNotArchivedWithoutIt(@TempDir Path upper) throws IOException {
        Path f = Files.writeString(upper.resolve("ping"), "binary");
        UserDefinedFileAttributeView view = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        try {
            view.write("test.cap", ByteBuffer.wrap(new byte[]{1, 0, 0, (byte) 0x82}));
        } catch (IOException | UnsupportedOperationException e) {
            assumeTrue(false, "this file system takes no user xattrs: " + e.getMessage());
        }

        UpperTar.XattrsPresent e = assertThrows(UpperTar.XattrsPresent.class,
                () -> UpperTar.write(upper, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("ping") && e.getMessage().contains("user.test.cap"), e.getMessage());
    }
}
