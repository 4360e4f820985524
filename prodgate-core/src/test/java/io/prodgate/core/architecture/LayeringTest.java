package io.prodgate.core.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The engine's layering, so that the folder layout stays a map of the architecture: leaves at the bottom, the shared
 * infrastructure (processes, HTTP calls, configuration values, and the actions made of processes and HTTP calls)
 * above them, the gates above that and independent of each other, reports and the gate-file reader above those, the
 * runs that put them together on top, and no CLI or Jenkins code anywhere in the engine.
 */
class LayeringTest {
    static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.prodgate.core");

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.prodgate.core.(*)..").should().beFreeOfCycles().check(CORE);
    }

    @Test
    void theEngineKnowsNothingOfItsCallers() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.prodgate.cli..", "picocli..", "hudson..",
                "jenkins..", "org.jenkinsci..", "org.kohsuke..", "io.jenkins..").check(CORE);
    }

    @Test
    void leavesDependOnNoOtherPartOfTheEngine() {
        noClasses().that().resideInAnyPackage("io.prodgate.core.secret..", "io.prodgate.core.util..",
                        "io.prodgate.core.verdict..")
                .should().dependOnClassesThat().resideInAnyPackage("io.prodgate.core.canary..",
                        "io.prodgate.core.smoke..", "io.prodgate.core.rollback..", "io.prodgate.core.config..",
                        "io.prodgate.core.exec..", "io.prodgate.core.http..", "io.prodgate.core.action..",
                        "io.prodgate.core.gatefile..", "io.prodgate.core.report..", "io.prodgate.core.prometheus..",
                        "io.prodgate.core.metrics..", "io.prodgate.core.run..")
                .check(CORE);
    }

    /** What more than one gate uses lives below all of them, so that no gate has to reach into another for it. */
    @Test
    void sharedInfrastructureKnowsNoGate() {
        noClasses().that().resideInAnyPackage("io.prodgate.core.exec..", "io.prodgate.core.http..",
                        "io.prodgate.core.config..", "io.prodgate.core.action..")
                .should().dependOnClassesThat().resideInAnyPackage("io.prodgate.core.canary..",
                        "io.prodgate.core.smoke..", "io.prodgate.core.rollback..", "io.prodgate.core.gatefile..",
                        "io.prodgate.core.report..", "io.prodgate.core.run..", "io.prodgate.core.metrics..")
                .check(CORE);
    }

    /**
     * Actions (a command or an HTTP call, run and recorded) are built on processes and HTTP calls, never the other
     * way round; they read nothing from Prometheus.
     */
    @Test
    void actionsAreBuiltOnProcessesAndHttpCalls() {
        noClasses().that().resideInAnyPackage("io.prodgate.core.exec..", "io.prodgate.core.http..",
                        "io.prodgate.core.config..")
                .should().dependOnClassesThat().resideInAPackage("io.prodgate.core.action..")
                .check(CORE);
        noClasses().that().resideInAPackage("io.prodgate.core.action..")
                .should().dependOnClassesThat().resideInAPackage("io.prodgate.core.prometheus..")
                .check(CORE);
    }

    /** Running commands and calling HTTP are separate tools; neither needs the other or the Prometheus client. */
    @Test
    void processesAndHttpCallsAreLeavesOfTheirOwn() {
        noClasses().that().resideInAPackage("io.prodgate.core.exec..")
                .should().dependOnClassesThat().resideInAnyPackage("io.prodgate.core.http..",
                        "io.prodgate.core.prometheus..")
                .check(CORE);
        noClasses().that().resideInAPackage("io.prodgate.core.http..")
                .should().dependOnClassesThat().resideInAnyPackage("io.prodgate.core.exec..",
                        "io.prodgate.core.prometheus..")
                .check(CORE);
    }

    /** A gate that needs another's code means that code is shared infrastructure: it belongs below both. */
    @Test
    void theGatesAreIndependentOfEachOther() {
        slices().matching("io.prodgate.core.(canary|smoke|rollback)..").should().notDependOnEachOther().check(CORE);
    }

    @Test
    void prometheusAccessKnowsNoGate() {
        noClasses().that().resideInAPackage("io.prodgate.core.prometheus..")
                .should().dependOnClassesThat().resideInAnyPackage("io.prodgate.core.canary..",
                        "io.prodgate.core.smoke..", "io.prodgate.core.rollback..", "io.prodgate.core.config..",
                        "io.prodgate.core.exec..", "io.prodgate.core.action..", "io.prodgate.core.gatefile..",
                        "io.prodgate.core.report..", "io.prodgate.core.run..")
                .check(CORE);
    }

    @Test
    void gatesDoNotDependOnHowTheyAreReadOrReported() {
        noClasses().that().resideInAnyPackage("io.prodgate.core.canary..", "io.prodgate.core.smoke..",
                        "io.prodgate.core.rollback..")
                .should().dependOnClassesThat().resideInAnyPackage("io.prodgate.core.gatefile..",
                        "io.prodgate.core.report..", "io.prodgate.core.metrics..", "io.prodgate.core.run..")
                .check(CORE);
    }

    /** A run puts a gate, its reader, its reports and its metrics together; nothing in the engine calls one. */
    @Test
    void theRunsAreTheTopLayer() {
        noClasses().that().resideOutsideOfPackage("io.prodgate.core.run..")
                .should().dependOnClassesThat().resideInAPackage("io.prodgate.core.run..")
                .check(CORE);
    }

    @Test
    void theCanaryJudgeStandsAlone() {
        noClasses().that().resideInAPackage("io.prodgate.core.canary..")
                .should().dependOnClassesThat().resideInAnyPackage("io.prodgate.core.smoke..",
                        "io.prodgate.core.rollback..", "io.prodgate.core.config..", "io.prodgate.core.exec..",
                        "io.prodgate.core.http..", "io.prodgate.core.action..")
                .check(CORE);
    }

    @Test
    void onlyTheCanaryGateJudges() {
        // reports and callers read the judge's results (BakeTimeline, Judgement); they never judge again
        noClasses().that().resideOutsideOfPackage("io.prodgate.core.canary")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.prodgate.core.canary.CanaryJudge")
                .check(CORE);
    }

    @Test
    void reportsDoNotRunTheGates() {
        noClasses().that().resideInAPackage("io.prodgate.core.report..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.prodgate.core.canary.CanaryGate")
                .check(CORE);
    }
}
