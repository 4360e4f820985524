package io.prodgate.core.smoke;

import java.util.Objects;

/**
 * A field of a JSON answer that must hold a value.
 *
 * @param pointer RFC 6901 JSON pointer, e.g. {@code /status} or {@code /items/0/id}
 * @param equals  the expected value as text; numbers and booleans compare by their JSON text
 */
public record JsonFieldExpect(String pointer, String equals) {
    public JsonFieldExpect {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(equals, "equals");
    }
}
