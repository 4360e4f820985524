package io.prodgate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The jar bin/demo runs, as {@code package} left it (failsafe runs this after the shade step). */
class DemoJarIT {
    @Test
    void startsAndCarriesTheDemosGateFile() throws Exception {
        String property = System.getProperty("demoJar");
        assertThat(property).as("the demoJar system property (set by the failsafe configuration)").isNotNull();
        Path jar = Path.of(property);
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(DemoCommand.class.getName());
            assertThat(file.getEntry(DemoCommand.GATE_RESOURCE.substring(1))).isNotNull();
        }

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-jar", jar.toString(), "--help"))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("Usage: bin/demo", "--quick", "--bake", "Exit codes:");
    }
}
