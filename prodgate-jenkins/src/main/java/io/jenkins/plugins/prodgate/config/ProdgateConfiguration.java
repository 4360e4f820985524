package io.jenkins.plugins.prodgate.config;

import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.domains.URIRequirementBuilder;
import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.BulkChange;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.Util;
import hudson.security.ACL;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.prodgate.gate.PrometheusConnection;
import io.prodgate.core.canary.CanaryLimits;
import io.prodgate.core.http.HttpUrls;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.QueryOutcome;
import io.prodgate.core.util.Durations;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import jenkins.model.GlobalConfiguration;
import jenkins.model.Jenkins;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * The administrator's defaults for every gate step: the Prometheus connection, the availability SLO used when a step
 * brings no gate file, the canary's statistics, the rollback-proof policy and the staging budget.
 */
@Extension
@Symbol("prodgate")
public class ProdgateConfiguration extends GlobalConfiguration {
    public static final String DEFAULT_BAD_QUERY =
            "sum(increase(http_requests_total{${selector},code=~\"5..\"}[${window}]))";
    public static final String DEFAULT_TOTAL_QUERY = "sum(increase(http_requests_total{${selector}}[${window}]))";
    public static final double DEFAULT_OBJECTIVE = 99.9;
    public static final double DEFAULT_TOLERANCE = 10;
    public static final double DEFAULT_FALSE_ALARM_RATE = 0.01;
    public static final String DEFAULT_BAKE = "30m";
    public static final String DEFAULT_INTERVAL = "1m";
    public static final String DEFAULT_MAX_PROOF_AGE = "24h";
    public static final int DEFAULT_STAGING_MAX_CHECKS = 10;
    public static final String DEFAULT_STAGING_MAX_DURATION = "5m";

    private String prometheusUrl;
    private String credentialsId;
    private String availabilityBadQuery = DEFAULT_BAD_QUERY;
    private String availabilityTotalQuery = DEFAULT_TOTAL_QUERY;
    private double availabilityObjective = DEFAULT_OBJECTIVE;
    private double tolerance = DEFAULT_TOLERANCE;
    private double falseAlarmRate = DEFAULT_FALSE_ALARM_RATE;
    private String bake = DEFAULT_BAKE;
    private String interval = DEFAULT_INTERVAL;
    private boolean requireRollbackProof;
    private String maxProofAge = DEFAULT_MAX_PROOF_AGE;
    private int stagingMaxChecks = DEFAULT_STAGING_MAX_CHECKS;
    private String stagingMaxDuration = DEFAULT_STAGING_MAX_DURATION;

    public ProdgateConfiguration() {
        load();
    }

    public static ProdgateConfiguration get() {
        return ExtensionList.lookupSingleton(ProdgateConfiguration.class);
    }

    @NonNull
    @Override
    public String getDisplayName() {
        return Messages.ProdgateConfiguration_DisplayName();
    }

    @Override
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        // One save for the whole form instead of one per setter.
        try (BulkChange bc = new BulkChange(this)) {
            // bindJSON leaves fields alone that the form does not send; reset the optional ones first
            prometheusUrl = null;
            credentialsId = null;
            requireRollbackProof = false;
            req.bindJSON(this, json);
            bc.commit();
        } catch (IOException e) {
            throw new FormException(e, "prometheusUrl");
        }
        return true;
    }

    @CheckForNull
    public String getPrometheusUrl() {
        return prometheusUrl;
    }

    @DataBoundSetter
    public void setPrometheusUrl(String prometheusUrl) {
        this.prometheusUrl = Util.fixEmptyAndTrim(prometheusUrl);
        save();
    }

    @CheckForNull
    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
        save();
    }

    public String getAvailabilityBadQuery() {
        return availabilityBadQuery;
    }

    @DataBoundSetter
    public void setAvailabilityBadQuery(String availabilityBadQuery) {
        this.availabilityBadQuery = orDefault(availabilityBadQuery, DEFAULT_BAD_QUERY);
        save();
    }

    public String getAvailabilityTotalQuery() {
        return availabilityTotalQuery;
    }

    @DataBoundSetter
    public void setAvailabilityTotalQuery(String availabilityTotalQuery) {
        this.availabilityTotalQuery = orDefault(availabilityTotalQuery, DEFAULT_TOTAL_QUERY);
        save();
    }

    public double getAvailabilityObjective() {
        return availabilityObjective;
    }

    @DataBoundSetter
    public void setAvailabilityObjective(double availabilityObjective) {
        this.availabilityObjective = availabilityObjective;
        save();
    }

    public double getTolerance() {
        return tolerance;
    }

    @DataBoundSetter
    public void setTolerance(double tolerance) {
        this.tolerance = tolerance;
        save();
    }

    public double getFalseAlarmRate() {
        return falseAlarmRate;
    }

    @DataBoundSetter
    public void setFalseAlarmRate(double falseAlarmRate) {
        this.falseAlarmRate = falseAlarmRate;
        save();
    }

    public String getBake() {
        return bake;
    }

    @DataBoundSetter
    public void setBake(String bake) {
        this.bake = orDefault(bake, DEFAULT_BAKE);
        save();
    }

    public String getInterval() {
        return interval;
    }

    @DataBoundSetter
    public void setInterval(String interval) {
        this.interval = orDefault(interval, DEFAULT_INTERVAL);
        save();
    }

    public boolean isRequireRollbackProof() {
        return requireRollbackProof;
    }

    @DataBoundSetter
    public void setRequireRollbackProof(boolean requireRollbackProof) {
        this.requireRollbackProof = requireRollbackProof;
        save();
    }

    public String getMaxProofAge() {
        return maxProofAge;
    }

    @DataBoundSetter
    public void setMaxProofAge(String maxProofAge) {
        this.maxProofAge = orDefault(maxProofAge, DEFAULT_MAX_PROOF_AGE);
        save();
    }

    public int getStagingMaxChecks() {
        return stagingMaxChecks;
    }

    @DataBoundSetter
    public void setStagingMaxChecks(int stagingMaxChecks) {
        this.stagingMaxChecks = stagingMaxChecks;
        save();
    }

    public String getStagingMaxDuration() {
        return stagingMaxDuration;
    }

    @DataBoundSetter
    public void setStagingMaxDuration(String stagingMaxDuration) {
        this.stagingMaxDuration = orDefault(stagingMaxDuration, DEFAULT_STAGING_MAX_DURATION);
        save();
    }

    /** The bake as a duration; a value broken by hand in the XML falls back to the default rather than failing builds. */
    public Duration bakeDuration() {
        return durationOr(bake, DEFAULT_BAKE);
    }

    public Duration intervalDuration() {
        return durationOr(interval, DEFAULT_INTERVAL);
    }

    public Duration maxProofAgeDuration() {
        return durationOr(maxProofAge, DEFAULT_MAX_PROOF_AGE);
    }

    public Duration stagingMaxDurationValue() {
        return durationOr(stagingMaxDuration, DEFAULT_STAGING_MAX_DURATION);
    }

    // ---- form validation: each one is reachable by URL, so each checks the permission it validates for ----

    @POST
    public FormValidation doCheckPrometheusUrl(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        String url = Util.fixEmptyAndTrim(value);
        if (url == null) {
            return FormValidation.warning(Messages.ProdgateConfiguration_NoUrl());
        }
        return checkUrl(url);
    }

    @POST
    public FormValidation doCheckAvailabilityObjective(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return checkNumber(value, CanaryLimits.OBJECTIVE_PERCENT, Messages.ProdgateConfiguration_ObjectiveRange());
    }

    @POST
    public FormValidation doCheckTolerance(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return checkNumber(value, CanaryLimits.TOLERANCE_PERCENT, Messages.ProdgateConfiguration_ToleranceRange());
    }

    @POST
    public FormValidation doCheckFalseAlarmRate(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return checkNumber(value, CanaryLimits.FALSE_ALARM_RATE, Messages.ProdgateConfiguration_FalseAlarmRange());
    }

    @POST
    public FormValidation doCheckBake(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return checkDuration(value);
    }

    @POST
    public FormValidation doCheckInterval(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return checkDuration(value);
    }

    @POST
    public FormValidation doCheckMaxProofAge(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return checkDuration(value);
    }

    @POST
    public FormValidation doCheckStagingMaxDuration(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return checkDuration(value);
    }

    @POST
    public FormValidation doCheckStagingMaxChecks(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return FormValidation.validatePositiveInteger(value);
    }

    @POST
    public FormValidation doCheckAvailabilityBadQuery(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return checkTemplate(value);
    }

    @POST
    public FormValidation doCheckAvailabilityTotalQuery(@QueryParameter String value) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return checkTemplate(value);
    }

    @POST
    public ListBoxModel doFillCredentialsIdItems(
            @QueryParameter String prometheusUrl, @QueryParameter String credentialsId) {
        if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
            return new StandardListBoxModel().includeCurrentValue(credentialsId);
        }
        return new StandardListBoxModel()
                .includeEmptyValue()
                .includeMatchingAs(
                        ACL.SYSTEM2,
                        Jenkins.get(),
                        StandardCredentials.class,
                        URIRequirementBuilder.fromUri(prometheusUrl).build(),
                        PrometheusConnection.USABLE)
                .includeCurrentValue(credentialsId);
    }

    /** Asks Prometheus for {@code vector(1)}: proves the URL, the credential and the API in one query. */
    @POST
    public FormValidation doTestConnection(@QueryParameter String prometheusUrl, @QueryParameter String credentialsId) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        String url = Util.fixEmptyAndTrim(prometheusUrl);
        if (url == null) {
            return FormValidation.error(Messages.ProdgateConfiguration_NoUrl());
        }
        FormValidation urlProblem = checkUrl(url);
        if (urlProblem.kind != FormValidation.Kind.OK) {
            return urlProblem;
        }
        StandardCredentials credentials = systemCredentials(Util.fixEmptyAndTrim(credentialsId), url);
        if (Util.fixEmptyAndTrim(credentialsId) != null && credentials == null) {
            return FormValidation.error(Messages.ProdgateConfiguration_NoSuchCredentials(credentialsId));
        }
        try (PrometheusClient client =
                PrometheusConnection.client(url, credentials, credentialsId, Duration.ofSeconds(10), 0)) {
            QueryOutcome outcome = client.instantQuery("vector(1)", Instant.now());
            if (outcome instanceof QueryOutcome.Success) {
                return FormValidation.ok(Messages.ProdgateConfiguration_Connected(client.endpoint()));
            }
            return FormValidation.error(outcome.describe());
        } catch (IllegalArgumentException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    /** The administrator's credential, looked up as SYSTEM: only ever sent to {@link #getPrometheusUrl()}. */
    @CheckForNull
    public StandardCredentials systemCredentials(@CheckForNull String id) {
        return systemCredentials(id, prometheusUrl);
    }

    /** As {@link #systemCredentials(String)}, for the URL an administrator is testing. */
    @CheckForNull
    private static StandardCredentials systemCredentials(@CheckForNull String id, @CheckForNull String url) {
        if (id == null) {
            return null;
        }
        return CredentialsMatchers.firstOrNull(
                com.cloudbees.plugins.credentials.CredentialsProvider.lookupCredentialsInItemGroup(
                        StandardCredentials.class,
                        Jenkins.get(),
                        ACL.SYSTEM2,
                        URIRequirementBuilder.fromUri(url).build()),
                CredentialsMatchers.allOf(CredentialsMatchers.withId(id), PrometheusConnection.USABLE));
    }

    /** The engine's rule for URLs (the gate file's), with this form's own messages. */
    private static FormValidation checkUrl(String url) {
        return HttpUrls.check(url)
                .map(p -> p == HttpUrls.Problem.CREDENTIALS
                        ? FormValidation.error(Messages.ProdgateConfiguration_UserInfo())
                        : FormValidation.error(Messages.ProdgateConfiguration_BadUrl()))
                .orElse(FormValidation.ok());
    }

    /** Checks a number against the engine's own bounds for it (the gate file's reader uses the same). */
    private static FormValidation checkNumber(String value, CanaryLimits.Range limits, String range) {
        String text = Util.fixEmptyAndTrim(value);
        if (text == null) {
            return FormValidation.error(range);
        }
        try {
            return limits.contains(Double.parseDouble(text)) ? FormValidation.ok() : FormValidation.error(range);
        } catch (NumberFormatException e) {
            return FormValidation.error(range);
        }
    }

    private static FormValidation checkDuration(String value) {
        if (Util.fixEmptyAndTrim(value) == null) {
            return FormValidation.ok();
        }
        try {
            Duration d = Durations.parse(value);
            return d.isZero() || d.isNegative()
                    ? FormValidation.error(Messages.ProdgateConfiguration_Positive())
                    : FormValidation.ok();
        } catch (IllegalArgumentException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    private static FormValidation checkTemplate(String value) {
        String t = Util.fixEmptyAndTrim(value);
        if (t == null) {
            return FormValidation.ok();
        }
        if (!t.contains("${selector}") || !t.contains("${window}")) {
            return FormValidation.error(Messages.ProdgateConfiguration_Template());
        }
        return FormValidation.ok();
    }

    private static String orDefault(String value, String fallback) {
        String v = Util.fixEmptyAndTrim(value);
        return v == null ? fallback : v;
    }

    @NonNull
    private static Duration durationOr(String text, String fallback) {
        try {
            return Durations.parse(text == null ? fallback : text);
        } catch (IllegalArgumentException e) {
            return Durations.parse(fallback);
        }
    }
}
