package dev.baton.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The modules' shape, checked on every build (this module sees them all): each
 * depends only on those below it, core ← store, supervisor ← control ← proxy ←
 * telemetry ← admin ← server, and nothing reaches into another package's
 * {@code internal}. See ARCHITECTURE.md for why the planes are cut this way.
 */
class ArchitectureTest {
    static JavaClasses baton;

    @BeforeAll
    static void importClasses() {
        baton = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.baton");
        // Guard against a vacuous pass: every module's classes must be on this classpath.
        for (String p : new String[] {
            "dev.baton.config",
            "dev.baton.store",
            "dev.baton.supervisor",
            "dev.baton.control",
            "dev.baton.proxy.internal",
            "dev.baton.proxy.internal.http",
            "dev.baton.proxy.internal.upstream",
            "dev.baton.telemetry",
            "dev.baton.admin",
            "dev.baton.server"
        }) {
            assertThat(baton.containPackage(p)).as(p).isTrue();
        }
    }

    @Test
    void modulesDependOnlyOnThoseBelowThem() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("core")
                .definedBy(
                        "dev.baton.config..",
                        "dev.baton.routing..",
                        "dev.baton.http..",
                        "dev.baton.balance..",
                        "dev.baton.events..",
                        "dev.baton.logs..",
                        "dev.baton.registry..",
                        "dev.baton.health..",
                        "dev.baton.resilience..",
                        "dev.baton.security..",
                        "dev.baton.lifecycle..")
                .layer("store")
                .definedBy("dev.baton.store..")
                .layer("supervisor")
                .definedBy("dev.baton.supervisor..")
                .layer("control")
                .definedBy("dev.baton.control..")
                .layer("saga")
                .definedBy("dev.baton.saga..")
                .layer("queue")
                .definedBy("dev.baton.queue..")
                .layer("proxy")
                .definedBy("dev.baton.proxy..")
                .layer("telemetry")
                .definedBy("dev.baton.telemetry..")
                .layer("admin")
                .definedBy("dev.baton.admin..")
                .layer("server")
                .definedBy("dev.baton.server..")
                .whereLayer("server")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("admin")
                .mayOnlyBeAccessedByLayers("server")
                .whereLayer("telemetry")
                .mayOnlyBeAccessedByLayers("admin", "server")
                .whereLayer("saga")
                .mayOnlyBeAccessedByLayers("admin", "server")
                .whereLayer("queue")
                .mayOnlyBeAccessedByLayers("admin", "server")
                .whereLayer("proxy")
                .mayOnlyBeAccessedByLayers("telemetry", "admin", "server")
                .whereLayer("control")
                .mayOnlyBeAccessedByLayers("saga", "queue", "proxy", "telemetry", "admin", "server")
                .whereLayer("supervisor")
                .mayOnlyBeAccessedByLayers("control", "telemetry", "admin", "server")
                .whereLayer("store")
                .mayOnlyBeAccessedByLayers("control", "saga", "queue", "telemetry", "admin", "server")
                .check(baton);
    }

    /**
     * Inside the data plane the wire ({@code internal.http}) knows nothing of
     * upstream connections or exchanges, and the connections ({@code
     * internal.upstream}) nothing of exchanges: they hear one through a listener.
     */
    @Test
    void theWireAndTheConnectionsKnowNothingOfTheExchange() {
        noClasses()
                .that()
                .resideInAPackage("dev.baton.proxy.internal.http")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.baton.proxy.internal", "dev.baton.proxy.internal.upstream")
                .check(baton);
        noClasses()
                .that()
                .resideInAPackage("dev.baton.proxy.internal.upstream")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.baton.proxy.internal")
                .check(baton);
    }

    @Test
    void internalsAreUsedOnlyWhereTheyBelong() {
        classes()
                .that()
                .resideInAPackage("..internal..")
                .should(beUsedOnlyUnderTheirOwnPackage())
                .check(baton);
    }

    /** A class in {@code a.b.internal} may be used from {@code a.b} and below, not from elsewhere. */
    private static ArchCondition<JavaClass> beUsedOnlyUnderTheirOwnPackage() {
        return new ArchCondition<>("be used only under the package they are internal to") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                String name = c.getPackageName();
                String owner = name.substring(0, name.indexOf(".internal"));
                for (Dependency d : c.getDirectDependenciesToSelf()) {
                    String from = d.getOriginClass().getPackageName();
                    if (!from.equals(owner) && !from.startsWith(owner + ".")) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                }
            }
        };
    }
}
