package io.pouch.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;

/** A request body decoded as JSON: an empty or blank body is null, malformed JSON a 400 that says what was wrong. */
final class JsonBody {
    private JsonBody() {
    }

    static <T> T decode(byte[] bytes, Class<T> type) {
        if (isBlank(bytes)) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(bytes, type);
        } catch (JsonProcessingException e) {
            throw PouchException.invalidArgument("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw PouchException.invalidArgument("invalid JSON: " + e.getMessage());
        }
    }

    private static boolean isBlank(byte[] b) {
        for (byte x : b) {
            if (x != ' ' && x != '\n' && x != '\r' && x != '\t') {
                return false;
            }
        }
        return true;
    }
}
