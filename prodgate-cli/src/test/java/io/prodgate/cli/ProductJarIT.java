package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The product jar, as {@code package} left it (failsafe runs this after the shade step): the demo and the test kit are
 * not shipped in it.
 */
class ProductJarIT {
    static final List<String> NOT_SHIPPED =
            List.of("io/prodgate/testkit/", "io/prodgate/demo/", "io/prodgate/cli/demo/");

    @Test
    void carriesTheCommandLineButNoDemoOrTestKitClass() throws Exception {
        String property = System.getProperty("productJar");
        assertThat(property).as("the productJar system property (set by the failsafe configuration)").isNotNull();
        Path jar = Path.of(property);
        assertThat(jar).isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> entries = file.stream().map(ZipEntry::getName).toList();
            // The shaded, runnable jar: prodgate's own classes with their dependencies.
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.prodgate.cli.Main");
            assertThat(entries).contains("io/prodgate/cli/Main.class", "io/prodgate/core/canary/CanaryGate.class",
                    "picocli/CommandLine.class");
            assertThat(entries).as("entries of %s", jar)
                    .noneMatch(name -> NOT_SHIPPED.stream().anyMatch(name::startsWith));
        }
    }
}
