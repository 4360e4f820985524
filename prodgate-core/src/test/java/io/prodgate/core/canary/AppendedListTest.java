package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A bake's evaluations grow without a copy per evaluation, and every earlier version stays as it was. */
class AppendedListTest {
    @Test
    void eachVersionKeepsItsOwnElementsWhenAnOlderOneIsExtendedAgain() {
        List<String> empty = AppendedList.of(List.of());
        List<String> a = AppendedList.plus(empty, "a");
        List<String> ab = AppendedList.plus(a, "b");
        List<String> abc = AppendedList.plus(ab, "c");
        List<String> abx = AppendedList.plus(ab, "x"); // ab extended a second time: a copy, abc untouched
        List<String> abxy = AppendedList.plus(abx, "y");
        assertThat(empty).isEmpty();
        assertThat(a).containsExactly("a");
        assertThat(ab).containsExactly("a", "b");
        assertThat(abc).containsExactly("a", "b", "c");
        assertThat(abx).containsExactly("a", "b", "x");
        assertThat(abxy).containsExactly("a", "b", "x", "y");
        assertThat(abc).isEqualTo(List.of("a", "b", "c")).hasSameHashCodeAs(List.of("a", "b", "c"));
        List<String> many = a;
        List<String> expected = new ArrayList<>(List.of("a"));
        for (int i = 0; i < 1000; i++) {
            many = AppendedList.plus(many, "e" + i);
            expected.add("e" + i);
        }
        assertThat(many).isEqualTo(expected);
        assertThat(a).containsExactly("a");
    }

    @Test
    void itIsUnmodifiableAndRefusesNulls() {
        List<String> list = AppendedList.of(List.of("a"));
        assertThatThrownBy(() -> list.add("b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> list.set(0, "b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> AppendedList.plus(list, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AppendedList.of(java.util.Arrays.asList("a", null)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> list.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** Jenkins keeps a bake state by Java serialization: the list goes as the plain unmodifiable list it always was. */
    @Test
    void itSerializesAsAnOrdinaryUnmodifiableList() throws Exception {
        List<String> list = AppendedList.plus(AppendedList.of(List.of("a")), "b");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(list);
        }
        assertThat(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain("AppendedList")
                .contains("java.util.CollSer");
    }
}
