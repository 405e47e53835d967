package io.pouch.daemon.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;

/**
 * A request body decoded as JSON: an empty or blank body is null; malformed JSON or a value of the wrong JSON type
 * is a 400 naming the field ({@link JsonErrors}). Types are as strict as Go's decoder in dockerd: a string is not
 * taken for a number or a boolean, nor a number or a boolean for a string.
 */
public final class JsonBody {
    static final ObjectMapper STRICT = strict();

    private JsonBody() {
    }

    private static ObjectMapper strict() {
        ObjectMapper m = Json.MAPPER.copy();
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    static <T> T decode(byte[] bytes, Class<T> type) {
        if (isBlank(bytes)) {
            return null;
        }
        try (JsonParser p = STRICT.createParser(bytes)) {
            try {
                return STRICT.readValue(p, type);
            } catch (JsonProcessingException e) {
                throw JsonErrors.badRequest(e); // while the parser still stands on the value it refused
            }
        } catch (IOException e) {
            throw PouchException.invalidArgument("invalid JSON: " + e.getMessage());
        }
    }

    /**
     * A part of a request body, already read as a tree, as {@code type}; with the same strictness and errors as a
     * whole body. {@code field} is the part's name in the body (for the path in an error), or null for the root.
     */
    public static <T> T convert(JsonNode tree, String field, Class<T> type) {
        try {
            return STRICT.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            if (field != null && e instanceof com.fasterxml.jackson.databind.JsonMappingException jm) {
                jm.prependPath(tree, field);
            }
            throw JsonErrors.badRequest(e);
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
