package io.jenkins.plugins.prodgate.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import hudson.model.User;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.util.FormValidation;
import io.jenkins.plugins.prodgate.testing.FakeProduction;
import java.net.URI;
import jenkins.model.Jenkins;
import org.htmlunit.HttpMethod;
import org.htmlunit.WebRequest;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;
import org.springframework.security.access.AccessDeniedException;

@WithJenkins
class ProdgateConfigurationTest {
    private static final String DESCRIPTOR = "descriptorByName/" + ProdgateConfiguration.class.getName() + "/";

    @Test
    void survivesTheConfigurationForm(JenkinsRule r) throws Exception {
        ProdgateConfiguration c = ProdgateConfiguration.get();
        c.setPrometheusUrl("https://prometheus.example.com");
        c.setBake("45m");
        c.setInterval("2m");
        c.setFalseAlarmRate(0.005);
        c.setAvailabilityObjective(99.5);
        c.setTolerance(20);
        c.setRequireRollbackProof(true);
        c.setMaxProofAge("12h");
        c.setStagingMaxChecks(5);
        c.setStagingMaxDuration("3m");
        r.configRoundtrip();
        c = ProdgateConfiguration.get();
        assertThat(c.getPrometheusUrl(), is("https://prometheus.example.com"));
        assertThat(c.getBake(), is("45m"));
        assertThat(c.getInterval(), is("2m"));
        assertThat(c.getFalseAlarmRate(), is(0.005));
        assertThat(c.getAvailabilityObjective(), is(99.5));
        assertThat(c.getTolerance(), is(20.0));
        assertThat(c.isRequireRollbackProof(), is(true));
        assertThat(c.getMaxProofAge(), is("12h"));
        assertThat(c.getStagingMaxChecks(), is(5));
        assertThat(c.getStagingMaxDuration(), is("3m"));
        assertThat(c.getAvailabilityBadQuery(), is(ProdgateConfiguration.DEFAULT_BAD_QUERY));
    }

    @Test
    void testConnectionAsksPrometheus(JenkinsRule r) throws Exception {
        try (FakeProduction prod = new FakeProduction()) {
            FormValidation v = ProdgateConfiguration.get().doTestConnection(prod.url(), "");
            assertThat(v.kind, is(FormValidation.Kind.OK));
            assertThat(
                    ProdgateConfiguration.get().doTestConnection("ftp://nowhere", "").kind,
                    is(FormValidation.Kind.ERROR));
        }
    }

    @Test
    @SuppressWarnings("try") // the ACL context is held for the block, never read
    void webMethodsAreForAdministratorsOnly(JenkinsRule r) throws Exception {
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.ADMINISTER)
                .everywhere()
                .to("admin")
                .grant(Jenkins.READ)
                .everywhere()
                .to("user"));
        ProdgateConfiguration c = ProdgateConfiguration.get();

        try (ACLContext ignored = ACL.as2(User.getById("user", true).impersonate2())) {
            assertThrows(AccessDeniedException.class, () -> c.doTestConnection("http://127.0.0.1:1", ""));
            assertThrows(AccessDeniedException.class, () -> c.doCheckPrometheusUrl("http://127.0.0.1:1"));
            assertThrows(AccessDeniedException.class, () -> c.doCheckBake("5m"));
            // the list of credentials shows nothing but the current value
            assertThat(c.doFillCredentialsIdItems("", "prom").size(), is(1));
        }

        JenkinsRule.WebClient wc = r.createWebClient().withThrowExceptionOnFailingStatusCode(false);
        wc.login("user");
        WebRequest post = new WebRequest(
                URI.create(r.getURL() + DESCRIPTOR + "testConnection?prometheusUrl=http://127.0.0.1:1")
                        .toURL(),
                HttpMethod.POST);
        assertThat(wc.getPage(wc.addCrumb(post)).getWebResponse().getStatusCode(), is(403));
        WebRequest get = new WebRequest(
                URI.create(r.getURL() + DESCRIPTOR + "testConnection?prometheusUrl=http://127.0.0.1:1")
                        .toURL(),
                HttpMethod.GET);
        assertThat(wc.getPage(get).getWebResponse().getStatusCode(), not(is(200))); // @POST: no GET

        JenkinsRule.WebClient admin = r.createWebClient().withThrowExceptionOnFailingStatusCode(false);
        admin.login("admin");
        assertThat(admin.getPage(admin.addCrumb(post)).getWebResponse().getStatusCode(), is(200));
    }
}
