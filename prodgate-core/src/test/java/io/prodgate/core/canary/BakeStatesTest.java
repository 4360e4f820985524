package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state file that is not a bake state is an IOException with a plain message, never a crash. */
class BakeStatesTest {
    @TempDir
    Path dir;

    @Test
    void nullOrEmptyIsNotAState() throws Exception {
        for (String text : new String[] {"null", "", "  \n"}) {
            Path f = Files.writeString(dir.resolve("state.json"), text);
            assertThatThrownBy(() -> BakeStates.read(f)).isInstanceOf(IOException.class)
                    .hasMessage("it is empty or null");
        }
    }

    @Test
    void aBinaryFileSaysSoInsteadOfInputLength() throws Exception {
        Path f = Files.write(dir.resolve("state.json"), new byte[] {0x1f, (byte) 0x8b, 0x08, 0, (byte) 0xff});
        assertThatThrownBy(() -> BakeStates.read(f)).isInstanceOf(IOException.class)
                .hasMessage("it is not UTF-8 text (a binary file?)");
    }

    @Test
    void otherJsonNamesWhereItWentWrong() throws Exception {
        assertThatThrownBy(() -> BakeStates.fromJson("garbage")).hasMessageStartingWith("it is not JSON (line 1");
        for (String json : new String[] {"{}", "[]", "42", "\"x\"", "{\"format\": 1, \"gateDigest\": []}"}) {
            assertThatThrownBy(() -> BakeStates.fromJson(json)).as(json).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("it is JSON, but not a bake state (")
                    .hasMessageNotContaining("io.prodgate").hasMessageNotContaining("Exception");
        }
    }
}
