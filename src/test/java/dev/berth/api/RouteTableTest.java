package dev.berth.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.berth.auth.AuthFilter;
import dev.berth.auth.ClientCertificateFilter;
import dev.berth.http.RequestFront;
import dev.berth.http.Routes;
import dev.berth.http.Routes.Match;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

/**
 * Walks what the application serves, every JAX-RS resource method and every Vert.x endpoint route,
 * and checks each is a route of the table ({@link Routes}) with that method: the access filter
 * authorizes by the table, so a route missing there would be answered 404 by the filter. And the
 * other way round: every method the table lists is served.
 */
class RouteTableTest {
    /** The packages whose classes serve HTTP. */
    private static final List<String> PACKAGES = List.of("dev.berth.api", "dev.berth.auth", "dev.berth.http");
    /** The Vert.x handlers that filter every request rather than serve a route. */
    private static final Set<Class<?>> FILTERS = Set.of(RequestFront.class, ClientCertificateFilter.class, AuthFilter.class);
    /** The Vert.x handlers that serve routes; they install on a bare router without injection. */
    private static final List<Class<?>> ENDPOINTS = List.of(BlobRoutes.class);
    private static final Map<Class<?>, HttpMethod> JAX_RS_METHODS = Map.of(GET.class, HttpMethod.GET, HEAD.class, HttpMethod.HEAD,
            POST.class, HttpMethod.POST, PUT.class, HttpMethod.PUT, PATCH.class, HttpMethod.PATCH, DELETE.class, HttpMethod.DELETE,
            OPTIONS.class, HttpMethod.OPTIONS);

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void everyServedRouteHasAnAccessRuleAndEveryRuleIsServed() throws Exception {
        Map<Routes.Route, Set<HttpMethod>> served = new EnumMap<>(Routes.Route.class);
        List<String> unknown = new ArrayList<>();
        for (Class<?> c : classes()) {
            jaxRs(c, served, unknown);
        }
        vertx(served, unknown);
        assertEquals(List.of(), unknown, "served, but not in the route table (the access filter would answer 404)");
        for (Routes.Route r : Routes.Route.values()) {
            assertEquals(r.methods(), served.getOrDefault(r, Set.of()), r + ": the table's methods and the served ones differ");
        }
    }

    /** Each route's regex recognizes its template, with and without a trailing slash, and tells its need and repository. */
    @Test
    void theTableMatchesItsOwnTemplates() {
        for (Routes.Route r : Routes.Route.values()) {
            String sample = r.template().replaceAll("\\{name: [^}]+}", "a/b").replaceAll("\\{[^}]+}", "x");
            for (String path : List.of(sample, sample.endsWith("/") ? sample.substring(0, sample.length() - 1) : sample + "/")) {
                Match m = Routes.match(path);
                assertNotNull(m, r + ": " + path + " is no route");
                assertTrue(r.pattern().matcher(path).matches(), r + ": own pattern refuses " + path);
                for (HttpMethod method : r.methods()) {
                    assertEquals(r.need(method), m.route().need(method), r + " " + method + " " + path);
                }
                assertEquals(r.template().contains("{name"), m.repository() != null, path);
                if (m.repository() != null) {
                    assertEquals("a/b", m.repository(), path);
                }
            }
        }
    }

    private static void jaxRs(Class<?> c, Map<Routes.Route, Set<HttpMethod>> served, List<String> unknown) {
        Path classPath = c.getAnnotation(Path.class);
        if (classPath == null) {
            return;
        }
        for (Method m : c.getDeclaredMethods()) {
            HttpMethod method = httpMethod(m);
            if (method == null) {
                continue;
            }
            Path methodPath = m.getAnnotation(Path.class);
            String template = methodPath == null ? classPath.value()
                    : classPath.value().replaceAll("/$", "") + "/" + methodPath.value().replaceAll("^/", "");
            serve(c.getSimpleName() + "." + m.getName(), template, method, served, unknown);
        }
    }

    /** Installs every Vert.x endpoint class on a bare router; each route it adds must name its table route. */
    private static void vertx(Map<Routes.Route, Set<HttpMethod>> served, List<String> unknown) throws Exception {
        Router router = Router.router(vertx);
        for (Class<?> c : classes()) {
            Method install = routerObserver(c);
            if (install == null || FILTERS.contains(c)) {
                continue;
            }
            if (!ENDPOINTS.contains(c)) {
                fail(c.getName() + " installs Vert.x handlers: list it in RouteTableTest as a filter or an endpoint");
            }
            install.setAccessible(true);
            install.invoke(c.getDeclaredConstructor().newInstance(), router);
        }
        assertFalse(router.getRoutes().isEmpty(), "no Vert.x endpoint route installed");
        for (Route route : router.getRoutes()) {
            Object r = route.getMetadata(Routes.ROUTE);
            if (!(r instanceof Routes.Route table)) {
                unknown.add("a Vert.x route with no " + Routes.ROUTE + " metadata: " + route);
                continue;
            }
            assertNotNull(route.methods(), table + ": a Vert.x route for every method");
            for (HttpMethod method : route.methods()) {
                serve("Vert.x " + route, table.template(), method, served, unknown);
            }
        }
    }

    private static void serve(String by, String template, HttpMethod method, Map<Routes.Route, Set<HttpMethod>> served, List<String> unknown) {
        for (Routes.Route r : Routes.Route.values()) {
            if (r.template().equals(template) && r.methods().contains(method)) {
                served.computeIfAbsent(r, k -> new HashSet<>()).add(method);
                return;
            }
        }
        unknown.add(method + " " + template + " (" + by + ")");
    }

    private static HttpMethod httpMethod(Method m) {
        return Arrays.stream(m.getAnnotations()).map(a -> JAX_RS_METHODS.get(a.annotationType())).filter(h -> h != null)
                .findFirst().orElse(null);
    }

    private static Method routerObserver(Class<?> c) {
        for (Method m : c.getDeclaredMethods()) {
            for (Parameter p : m.getParameters()) {
                if (p.getType() == Router.class && p.isAnnotationPresent(Observes.class)) {
                    return m;
                }
            }
        }
        return null;
    }

    /** The application's classes in {@link #PACKAGES}, read from the compiled classes directory. */
    private static List<Class<?>> classes() throws URISyntaxException, ClassNotFoundException {
        File root = new File(BlobRoutes.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> out = new ArrayList<>();
        for (String pkg : PACKAGES) {
            File[] files = new File(root, pkg.replace('.', '/')).listFiles((dir, name) -> name.endsWith(".class"));
            assertNotNull(files, "no compiled classes of " + pkg + " under " + root);
            for (File f : files) {
                String name = f.getName();
                out.add(Class.forName(pkg + "." + name.substring(0, name.length() - ".class".length()), false,
                        RouteTableTest.class.getClassLoader()));
            }
        }
        return out;
    }
}
