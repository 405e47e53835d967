package io.pouch.daemon.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.pouch.api.PouchException;

import java.util.Collection;

/**
 * The one translation of Jackson's errors on a request body into a 400 that names the field, in the spirit of
 * dockerd's {@code json: cannot unmarshal string into Go struct field HostConfig.Memory of type int64}: e.g.
 * {@code invalid value for HostConfig.Memory: "lots" is not an integer}. Java type names never reach the client.
 */
public final class JsonErrors {
    private JsonErrors() {
    }

    /** The 400 for {@code e}; its message names the field path when Jackson knows one. */
    public static PouchException badRequest(JsonProcessingException e) {
        return PouchException.invalidArgument(message(e));
    }

    static String message(JsonProcessingException e) {
        if (e instanceof ValueInstantiationException vi && vi.getCause() != null
                && vi.getCause().getMessage() != null) {
            // a record's constructor refused the value: its own message says why
            return prefixed(path(vi), vi.getCause().getMessage());
        }
        if (e instanceof MismatchedInputException mi && mi.getTargetType() != null && !mi.getPath().isEmpty()) {
            String got = mi instanceof InvalidFormatException inf ? value(inf.getValue()) : current(mi.getProcessor());
            return "invalid value for " + path(mi) + ": " + got + " is not " + expected(mi.getTargetType());
        }
        String original = e.getOriginalMessage();
        if (original != null) {
            // Jackson appends hints meant for Java developers after the first line
            int nl = original.indexOf('\n');
            original = (nl < 0 ? original : original.substring(0, nl)).trim();
        }
        String where = e.getLocation() == null || e.getLocation().getLineNr() < 0 ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        String text = "invalid JSON" + where + ": " + original;
        return e instanceof JsonMappingException jm && !jm.getPath().isEmpty() ? prefixed(path(jm), text) : text;
    }

    private static String prefixed(String path, String message) {
        return path.isEmpty() ? message : "invalid value for " + path + ": " + message;
    }

    /** The field path as a client wrote it: {@code HostConfig.Ulimits[0].Soft}, map keys as fields. */
    static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String value(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> quoted(s);
            case Number n -> "the number " + n;
            case Boolean b -> "the boolean " + b;
            default -> "the value";
        };
    }

    private static String quoted(String s) {
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** What the parser stood on when the value was refused (the offending token). */
    private static String current(Object processor) {
        if (!(processor instanceof JsonParser p) || p.currentToken() == null) {
            return "the value";
        }
        JsonToken t = p.currentToken();
        try {
            return switch (t) {
                case START_ARRAY -> "an array";
                case START_OBJECT, FIELD_NAME -> "an object";
                case VALUE_STRING -> quoted(p.getText());
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + p.getText();
                case VALUE_TRUE, VALUE_FALSE -> "the boolean " + p.getText();
                case VALUE_NULL -> "null";
                default -> "the value";
            };
        } catch (java.io.IOException e) {
            return "the value";
        }
    }

    private static String expected(Class<?> type) {
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class
                || type == java.math.BigInteger.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
                || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type.isEnum()) {
            return "one of the accepted values";
        }
        return "an object"; // a map or a structure
    }
}
