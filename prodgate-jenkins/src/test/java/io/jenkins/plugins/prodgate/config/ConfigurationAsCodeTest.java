package io.jenkins.plugins.prodgate.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.junit.jupiter.WithJenkinsConfiguredWithCode;
import org.junit.jupiter.api.Test;

@WithJenkinsConfiguredWithCode
class ConfigurationAsCodeTest {
    @Test
    @ConfiguredWithCode("configuration-as-code.yml")
    void readsEverySetting(JenkinsConfiguredWithCodeRule r) {
        ProdgateConfiguration c = ProdgateConfiguration.get();
        assertThat(c.getPrometheusUrl(), is("https://prometheus.example.com"));
        assertThat(c.getCredentialsId(), is("prometheus-token"));
        assertThat(c.getAvailabilityObjective(), is(99.95));
        assertThat(c.getTolerance(), is(15.0));
        assertThat(c.getFalseAlarmRate(), is(0.005));
        assertThat(c.getBake(), is("20m"));
        assertThat(c.getInterval(), is("30s"));
        assertThat(c.isRequireRollbackProof(), is(true));
        assertThat(c.getMaxProofAge(), is("12h"));
        assertThat(c.getStagingMaxChecks(), is(8));
        assertThat(c.getStagingMaxDuration(), is("4m"));
    }
}
