package io.pouch.cli.container;

import io.pouch.cli.CliException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --env-file} and {@code --label-file}, read as the docker CLI reads them: one KEY=VALUE a line, leading
 * blanks and '#' comment lines skipped, the value kept as written (trailing blanks too), a KEY alone taken from
 * the client's environment (env files) or dropped when it has no value there (and always, for label files).
 */
final class KeyValueFiles {
    private KeyValueFiles() {
    }

    /** @param lookup the client's environment for bare names; null for label files */
    static List<String> read(String file, String kind, Map<String, String> lookup) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new CliException("open " + file + ": no such file or directory", 125);
        } catch (IOException e) {
            throw new CliException("open " + file + ": " + e.getMessage(), 125);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CliException("invalid " + kind + " file (" + file + "): invalid utf8 bytes", 125);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> out = new ArrayList<>();
        for (String raw : text.split("\r?\n", -1)) {
            String line = raw.stripLeading();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq);
            if (key.isEmpty()) {
                throw new CliException("invalid " + kind + " file (" + file + "): no variable name on line '"
                        + line + "'", 125);
            }
            if (key.chars().anyMatch(Character::isWhitespace)) {
                throw new CliException("invalid " + kind + " file (" + file + "): variable '" + key
                        + "' contains whitespaces", 125);
            }
            if (eq >= 0) {
                out.add(line);
            } else if (lookup != null && lookup.containsKey(key)) {
                out.add(key + "=" + lookup.get(key));
            }
        }
        return out;
    }
}
