package io.acqswitch.cli;

import io.acqswitch.config.ConfigException;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.security.KeyFile;
import io.acqswitch.security.KeyService;
import io.acqswitch.security.KeyType;
import io.acqswitch.security.LmkKey;
import io.acqswitch.security.Outcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keys}: provisions the keys of terminals and issuers into the switch's key store, under the
 * LMK of its security module (docs/security.md). Keys are generated (their clear components printed
 * once, for separate custodians) or formed from clear components typed with their check values;
 * they are listed by check value only. Exit 0 done, 1 refused, 2 bad input. Safe while the switch
 * runs: it sees new keys within moments.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Terminal master keys and issuer zone keys, stored under the LMK (docs/security.md).",
            "Exit 0 = done, 1 = refused, 2 = bad input."},
        subcommands = {KeysCommand.Tmk.class, KeysCommand.Zpk.class, KeysCommand.Zak.class, KeysCommand.ListKeys.class})
final class KeysCommand {
    private KeysCommand() {}

    /** Where the key store is: {@code --data-dir}, else the configuration's dataDir. */
    static final class Store {
        @Option(names = "--data-dir", description = "the switch's dataDir (keys under DIR/security); wins over --config")
        Path dataDir;

        @Option(names = {"-c", "--config"}, description = "the switch's configuration, for its dataDir and issuers "
                + "(default: config/switch.yaml if present, else the built-in defaults: data)")
        Path config;

        /** The configuration, or null when {@code --data-dir} is given (then it is not read). */
        SwitchConfig config() throws ConfigException {
            return dataDir != null ? null : CliConfig.load(config, null);
        }
    }

    /** Generate, or form from components: one of the two. */
    static final class Source {
        @Option(names = "--generate", description = "generate a random key and print its clear components "
                + "(one per custodian) with their check values", required = true)
        boolean generate;

        @Option(names = "--component", paramLabel = "HEX:KCV", required = true,
                description = "a clear component (16 or 32 hex digits) and its check value (6 hex digits); 2 or 3 of them")
        List<String> components;
    }

    /** Shared body of tmk, zpk and zak. */
    abstract static class Provision implements Callable<Integer> {
        @Mixin
        Store store;

        @ArgGroup(multiplicity = "1")
        Source source;

        @Option(names = "--components", paramLabel = "N", defaultValue = "2",
                description = "with --generate: how many components to print (2 or 3; default 2)")
        int count;

        @Option(names = "--kcv", description = "the check value the formed key must have (6 hex digits)")
        String kcv;

        @Option(names = "--replace", description = "replace a key the owner already has (else refused)")
        boolean replace;

        @Spec
        CommandSpec spec;

        abstract KeyType type();

        abstract String owner();

        /** Refusal of an owner the configuration does not know, or null. */
        String unknownOwner(SwitchConfig cfg) {
            return null;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String what = "keys " + spec.name();
            if (!KeyFile.validId(owner())) {
                err.println(what + ": " + owner() + " is not a valid id (1 to 40 of letters, digits, . _ -)");
                return 2;
            }
            List<byte[]> components = new ArrayList<>();
            List<String> componentKcvs = new ArrayList<>();
            if (!source.generate) {
                if (source.components.size() < 2 || source.components.size() > 3) {
                    err.println(what + ": give 2 or 3 --component HEX:KCV (a key is never typed in whole)");
                    return 2;
                }
                for (String c : source.components) {
                    String[] parts = c.split(":", -1);
                    if (parts.length != 2 || !parts[0].matches("[0-9A-Fa-f]{16}|[0-9A-Fa-f]{32}")
                            || !parts[1].matches("[0-9A-Fa-f]{6}")) {
                        err.println(what + ": a component is HEX:KCV, 16 or 32 hex digits then 6 (component "
                                + (components.size() + 1) + ")");
                        return 2;
                    }
                    components.add(HexFormat.of().parseHex(parts[0]));
                    componentKcvs.add(parts[1].toUpperCase());
                }
            } else if (count < 2 || count > 3) {
                err.println(what + ": --components is 2 or 3");
                return 2;
            }
            if (kcv != null && !kcv.matches("[0-9A-Fa-f]{6}")) {
                err.println(what + ": --kcv is 6 hex digits");
                return 2;
            }
            SwitchConfig cfg;
            try {
                cfg = store.config();
            } catch (ConfigException e) {
                err.println(what + ": " + Failures.describe(e));
                return 2;
            }
            String unknown = cfg == null ? null : unknownOwner(cfg);
            if (unknown != null) {
                err.println(what + ": " + unknown);
                return 1;
            }
            Path dataDir = store.dataDir != null ? store.dataDir : cfg.dataDir();
            try (KeyService ks = KeyService.open(dataDir)) {
                return provision(ks, components, componentKcvs, out, err, what);
            } catch (IOException e) {
                err.println(what + ": " + Failures.describe(e));
                return 2;
            }
        }

        private int provision(KeyService ks, List<byte[]> components, List<String> componentKcvs, PrintWriter out,
                              PrintWriter err, String what) throws IOException {
            LmkKey existing = ks.keys().findFresh(owner(), type());
            if (existing != null && !replace) {
                err.println(what + ": " + type().owner().word() + " " + owner() + " already has a " + type()
                        + " (kcv " + existing.kcv() + "); --replace to replace it");
                return 1;
            }
            if (source.generate) {
                Outcome<List<byte[]>> generated = ks.module().generateComponents(128, count);
                if (generated.valueOrNull() == null) {
                    err.println(what + ": the security module refused: " + generated.refusal());
                    return 1;
                }
                components = generated.valueOrNull();
            }
            List<String> actual = new ArrayList<>();
            for (byte[] c : components) {
                actual.add(hex(ks.module().componentCheckValue(c).valueOrNull()));
            }
            for (int i = 0; i < componentKcvs.size(); i++) {
                if (!actual.get(i).equals(componentKcvs.get(i))) {
                    err.println(what + ": component " + (i + 1) + " has check value " + actual.get(i) + ", not "
                            + componentKcvs.get(i) + ": mistyped? nothing stored");
                    return 1;
                }
            }
            Outcome<LmkKey> formed = ks.module().formKey(type(), components);
            if (!(formed instanceof Outcome.Done<LmkKey> f)) {
                err.println(what + ": the security module refused: " + formed.refusal());
                return 1;
            }
            LmkKey key = f.value();
            if (kcv != null && !key.kcv().equals(kcv.toUpperCase())) {
                err.println(what + ": the formed key's check value is " + key.kcv() + ", not " + kcv.toUpperCase()
                        + ": nothing stored");
                return 1;
            }
            ks.keys().put(owner(), key);
            if (source.generate) {
                // the one place clear key material is shown: each component once, for its own custodian
                for (int i = 0; i < components.size(); i++) {
                    out.println("component " + (i + 1) + ": " + hex(components.get(i)) + "  kcv " + actual.get(i));
                }
            }
            out.println(type().owner().word() + " " + owner() + " " + type() + " stored under the LMK, kcv " + key.kcv()
                    + (existing != null ? " (replaced kcv " + existing.kcv() + ")" : ""));
            return 0;
        }
    }

    private static String hex(byte[] b) {
        return b == null ? "" : HexFormat.of().withUpperCase().formatHex(b);
    }

    @Command(name = "tmk", mixinStandardHelpOptions = true,
            description = "A terminal's master key: generated (components printed for the key loader) or formed from "
                    + "components. The switch sends the terminal fresh PIN and MAC keys under it at each sign-on.")
    static final class Tmk extends Provision {
        @Option(names = "--tid", required = true, description = "the terminal id (field 41)")
        String tid;

        @Override
        KeyType type() {
            return KeyType.TMK;
        }

        @Override
        String owner() {
            return tid;
        }
    }

    /** zpk and zak: an issuer's zone keys. */
    abstract static class Zone extends Provision {
        @Option(names = "--issuer", required = true, description = "the issuer's id in the configuration (issuers[].id)")
        String issuer;

        @Override
        String owner() {
            return issuer;
        }

        @Override
        String unknownOwner(SwitchConfig cfg) {
            List<String> ids = cfg.issuers().stream().map(SwitchConfig.Issuer::id).toList();
            return ids.contains(issuer) ? null : "issuer " + issuer + " is not in the configuration (issuers: " + ids + ")";
        }
    }

    @Command(name = "zpk", mixinStandardHelpOptions = true,
            description = "An issuer's zone PIN key: PIN blocks are translated to it before they are forwarded.")
    static final class Zpk extends Zone {
        @Override
        KeyType type() {
            return KeyType.ZPK;
        }
    }

    @Command(name = "zak", mixinStandardHelpOptions = true,
            description = "An issuer's zone MAC key (stored for the issuer link's MACs).")
    static final class Zak extends Zone {
        @Override
        KeyType type() {
            return KeyType.ZAK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every stored key, by check value only.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        Store store;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                SwitchConfig cfg = store.config();
                Path dataDir = store.dataDir != null ? store.dataDir : cfg.dataDir();
                try (KeyService ks = KeyService.open(dataDir)) {
                    List<KeyFile.Entry> all = ks.keys().list();
                    out.println("owner     id                                       type bits kcv    stored");
                    for (KeyFile.Entry e : all) {
                        out.printf("%-9s %-40s %-4s %4d %-6s %s%n", e.owner(), e.id(), e.key().type(), e.key().bits(),
                                e.key().kcv(), e.storedAt());
                    }
                    out.println(all.size() + " key(s)");
                }
                return 0;
            } catch (ConfigException | IOException e) {
                spec.commandLine().getErr().println("keys list: " + Failures.describe(e));
                return 2;
            }
        }
    }
}
