package io.prodgate.core.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EpochSecondsTest {
    @Test
    void formatsSecondsWithDecimalsOnlyWhenNeeded() {
        assertThat(EpochSeconds.format(Instant.ofEpochSecond(1_700_000_000L))).isEqualTo("1700000000");
        assertThat(EpochSeconds.format(Instant.ofEpochSecond(1_700_000_000L, 5_000_000))).isEqualTo("1700000000.005");
        assertThat(EpochSeconds.format(Instant.ofEpochSecond(1_700_000_000L, 1))).isEqualTo("1700000000.000000001");
        assertThat(EpochSeconds.format(Duration.ofSeconds(30))).isEqualTo("30");
        assertThat(EpochSeconds.format(Duration.ofMillis(1500))).isEqualTo("1.5");
    }

    @Test
    void parsesExactly() {
        assertThat(EpochSeconds.parse(new BigDecimal("1700000000.781")))
                .isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 781_000_000));
        assertThat(EpochSeconds.parse(new BigDecimal("1700000000"))).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
    }
}
