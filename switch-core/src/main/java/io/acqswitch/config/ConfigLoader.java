package io.acqswitch.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.acqswitch.iso.Dialect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Reads {@code switch.yaml} into a {@link SwitchConfig} and validates it before anything starts. */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .registerModule(new SimpleModule("switch-config")
                    .addDeserializer(Duration.class, new FromText<>(Durations::parse))
                    .addDeserializer(Dialect.class, new FromText<>(ConfigLoader::dialect))
                    .addDeserializer(SwitchConfig.MacMode.class, new FromText<>(SwitchConfig.MacMode::byName))
                    .addDeserializer(SwitchConfig.Replication.class, new FromText<>(SwitchConfig.Replication::byName))
                    .addDeserializer(SwitchConfig.ClientAuth.class, new FromText<>(SwitchConfig.ClientAuth::byName)));

    private ConfigLoader() {}

    /** The default file, {@code config/switch.yaml} under the working directory, if present; else defaults. */
    public static SwitchConfig loadDefault() throws ConfigException {
        return loadDefault(null);
    }

    /**
     * As {@link #loadDefault()}, with {@code portBase} (when not {@code null}) replacing the file's
     * {@code portBase} before the ports are moved: {@code run --port-base N} and the tools that find
     * the switch from its configuration ({@code txn}, {@code send}).
     */
    public static SwitchConfig loadDefault(Integer portBase) throws ConfigException {
        Path file = Path.of("config", "switch.yaml");
        return Files.isRegularFile(file) ? load(file, portBase) : parse("", portBase);
    }

    /** Reads and validates one file. */
    public static SwitchConfig load(Path file) throws ConfigException {
        return load(file, null);
    }

    /** Reads and validates one file; {@code portBase}, when not {@code null}, replaces the file's. */
    public static SwitchConfig load(Path file, Integer portBase) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("config=" + file + ": cannot read (" + e + ")");
        }
        return parse(text, portBase);
    }

    /** Parses and validates YAML text; an empty document is the defaults. */
    public static SwitchConfig parse(String yaml) throws ConfigException {
        return parse(yaml, null);
    }

    /**
     * Parses YAML text, moves the demo's ports to {@code portBase} (this argument when not
     * {@code null}, else the document's {@code portBase:}; see {@link PortBase}), then validates.
     */
    public static SwitchConfig parse(String yaml, Integer portBase) throws ConfigException {
        SwitchConfig cfg;
        try {
            cfg = yaml.isBlank() ? SwitchConfig.defaults() : YAML.readValue(yaml, SwitchConfig.class);
        } catch (JsonMappingException e) {
            throw new ConfigException(describe(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("config: not valid YAML (" + e.getOriginalMessage() + ")");
        }
        cfg = cfg == null ? SwitchConfig.defaults() : cfg;
        if (portBase != null) {
            cfg = cfg.withPortBase(portBase);
        }
        return validated(PortBase.apply(cfg));
    }

    /**
     * Parses a document shaped like the {@code routing:} section ({@code routes:} and
     * {@code defaultIssuer}), for reloading routes at run time. Only parses: the routes are checked
     * by {@code io.acqswitch.route.BinTable#build}. An empty document is a problem, not "no routes",
     * so a file caught half-written never wipes the routing.
     *
     * @throws ConfigException when the text is empty, not YAML, or has unknown or mistyped settings
     */
    public static SwitchConfig.Routing parseRouting(String yaml) throws ConfigException {
        SwitchConfig.Routing routing;
        try {
            routing = yaml.isBlank() ? null : YAML.readValue(yaml, SwitchConfig.Routing.class);
        } catch (JsonMappingException e) {
            throw new ConfigException(describe(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("routing: not valid YAML (" + e.getOriginalMessage() + ")");
        }
        if (routing == null) {
            throw new ConfigException("routing=: empty document (expected routes: and defaultIssuer:)");
        }
        return routing;
    }

    /**
     * Reads a file shaped like a listener's {@code tls:} section ({@code certificate} and
     * {@code privateKey}, or {@code keyStore} and {@code password}; {@code trust}, {@code clientAuth})
     * and checks it as a server's, as the switch checks {@code stubs[].tls}: for the stand-alone
     * issuer stub, whose key password so stays off the command line. Problems read
     * {@code tls.name=value: why}.
     *
     * @throws ConfigException when the file cannot be read, is empty or not YAML, has unknown
     *     settings, or names no key and certificate or files that are not there
     */
    public static SwitchConfig.Tls loadServerTls(Path file) throws ConfigException {
        SwitchConfig.Tls tls;
        try {
            tls = YAML.readValue(Files.readString(file), SwitchConfig.Tls.class);
        } catch (JsonMappingException e) {
            throw new ConfigException("tls." + describe(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("tls=" + file + ": not valid YAML (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new ConfigException("tls=" + file + ": cannot read (" + e + ")");
        }
        if (tls == null) {
            throw new ConfigException("tls=" + file + ": empty document (expected certificate and privateKey, or keyStore)");
        }
        var problems = ConfigValidator.serverTls("tls", tls);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return tls;
    }

    /** @throws ConfigException listing every problem found */
    public static SwitchConfig validated(SwitchConfig cfg) throws ConfigException {
        var problems = new ConfigValidator(cfg).problems();
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return cfg;
    }

    private static Dialect dialect(String name) {
        return Dialect.byName(name).orElseThrow(
                () -> new IllegalArgumentException("unknown dialect (known: " + Dialect.names() + ")"));
    }

    private static String describe(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining()).replaceFirst("^\\.", "");
        if (e instanceof UnrecognizedPropertyException u) {
            return path + ": unknown setting (known here: " + u.getKnownPropertyIds() + ")";
        }
        Object value = e instanceof InvalidFormatException f ? f.getValue() : null;
        String reason = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : e.getOriginalMessage();
        return path + "=" + (value != null ? value : "?") + ": " + reason;
    }

    /** A scalar setting parsed from its text; the parser's {@link IllegalArgumentException} becomes the reason. */
    private static final class FromText<T> extends JsonDeserializer<T> {
        private final Function<String, T> parser;

        FromText(Function<String, T> parser) {
            this.parser = parser;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            String text = p.getValueAsString();
            try {
                return parser.apply(text);
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), text, Object.class);
            }
        }
    }
}
