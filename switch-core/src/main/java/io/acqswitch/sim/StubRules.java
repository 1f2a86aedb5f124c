package io.acqswitch.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.acqswitch.config.ConfigException;
import io.acqswitch.iso.CardData;
import io.acqswitch.security.PinBlocks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How an {@link IssuerStub} answers. Immutable; every component may be {@code null} (from YAML or
 * JSON) and then takes its default, so {@link #approveAll()} approves everything at once.
 *
 * <p>Decisions for a debit, in order: a {@code declineSuffixes} match (longest suffix wins), then
 * {@code declineAtOrAbove}, then the card's available balance. Credits and balance inquiries are
 * declined only by {@code declineSuffixes}.
 *
 * @param declineAtOrAbove     debits of this amount (minor units) or more are declined; null = no limit
 * @param declineAtOrAboveCode the response code for such debits (default {@code 51}; {@code 61} is the
 *                             other usual choice)
 * @param declineSuffixes      PAN suffix → response code (e.g. {@code "05" → "05"})
 * @param balances             PAN → opening available balance (minor units); cards not listed are
 *                             unlimited. Available = opening − approved unreversed debits + approved
 *                             unreversed credits recorded in the ledger since it was last cleared
 * @param latencyMs            fixed delay before every answer
 * @param latencyJitterMs      a uniform random extra delay of 0..this before every answer
 * @param withholdRatio        0..1: the share of financial requests that are applied but never answered
 * @param lateAnswerMs         extra delay of financial answers (the request is applied at once)
 * @param dropConnectionAfter  the Nth message received on a connection is applied and the connection
 *                             closed instead of answering it; 0 = never
 * @param refuseConnections    new connections are closed at once
 * @param ignoreReversals      the first N reversal messages after these rules took effect are neither
 *                             applied nor answered
 * @param withholdAmountSuffixes financial requests whose amount (field 4, digits) ends with one of these
 *                             are applied but never answered: an issuer timeout on chosen requests
 * @param pins                 cards whose PIN the stub checks: a financial request for one of them
 *                             whose PIN block (52) is missing or does not decrypt under the zone key to
 *                             that PIN is answered 55 and not applied
 * @param stallAmountSuffixes  financial requests whose amount (field 4, digits) ends with one of these
 *                             stall their connection for {@code stallMs}: the stub reads nothing more on
 *                             it meanwhile, then applies that request and those behind it, in order (an
 *                             issuer host stuck behind a slow request; other connections go on)
 * @param stallMs              how long such a request stalls its connection (default 1000)
 */
public record StubRules(
        Long declineAtOrAbove,
        String declineAtOrAboveCode,
        Map<String, String> declineSuffixes,
        Map<String, Long> balances,
        Long latencyMs,
        Long latencyJitterMs,
        Double withholdRatio,
        Long lateAnswerMs,
        Integer dropConnectionAfter,
        Boolean refuseConnections,
        Integer ignoreReversals,
        List<String> withholdAmountSuffixes,
        Pins pins,
        List<String> stallAmountSuffixes,
        Long stallMs) {

    /**
     * The issuer's PIN check, as its HSM would make it.
     *
     * @param zoneKey the zone PIN key in clear, 32 hex digits (the stub is a simulator: it holds its
     *                key in clear; the switch is given the same key by components, docs/security.md)
     * @param cards   PAN → PIN (4 to 12 digits)
     */
    public record Pins(String zoneKey, Map<String, String> cards) {
        public Pins {
            cards = cards != null ? Map.copyOf(cards) : Map.of();
            check(zoneKey != null && zoneKey.matches("[0-9A-Fa-f]{32}"), "pins.zoneKey", zoneKey == null ? null : "(hidden)",
                    "32 hex digits (a double-length key)");
            cards.forEach((pan, pin) -> check(pin != null && pin.matches("\\d{4,12}"), "pins.cards." + CardData.maskPan(pan),
                    "(hidden)", "a PIN is 4 to 12 digits"));
        }

        /** The response code of a request for {@code pan} carrying {@code pinBlock} (null: none): 00, or 55. */
        String verdict(String pan, byte[] pinBlock) {
            String expected = cards.get(pan);
            if (expected == null) {
                return "00";
            }
            String pin = PinBlocks.pinUnder(HexFormat.of().parseHex(zoneKey), pinBlock, pan);
            return expected.equals(pin) ? "00" : "55";
        }
    }

    private static final ObjectMapper READER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** @throws IllegalArgumentException naming the first value out of range, as {@code name=value: why} */
    public StubRules {
        declineAtOrAboveCode = declineAtOrAboveCode != null ? declineAtOrAboveCode : "51";
        declineSuffixes = declineSuffixes != null ? declineSuffixes : Map.of();
        balances = balances != null ? balances : Map.of();
        latencyMs = latencyMs != null ? latencyMs : 0L;
        latencyJitterMs = latencyJitterMs != null ? latencyJitterMs : 0L;
        withholdRatio = withholdRatio != null ? withholdRatio : 0.0;
        lateAnswerMs = lateAnswerMs != null ? lateAnswerMs : 0L;
        dropConnectionAfter = dropConnectionAfter != null ? dropConnectionAfter : 0;
        refuseConnections = refuseConnections != null ? refuseConnections : false;
        ignoreReversals = ignoreReversals != null ? ignoreReversals : 0;
        withholdAmountSuffixes = withholdAmountSuffixes != null ? List.copyOf(withholdAmountSuffixes) : List.of();
        withholdAmountSuffixes.forEach(suffix -> check(!suffix.isEmpty() && suffix.chars().allMatch(Character::isDigit),
                "withholdAmountSuffixes", suffix, "a suffix is one or more digits"));
        stallAmountSuffixes = stallAmountSuffixes != null ? List.copyOf(stallAmountSuffixes) : List.of();
        stallAmountSuffixes.forEach(suffix -> check(!suffix.isEmpty() && suffix.chars().allMatch(Character::isDigit),
                "stallAmountSuffixes", suffix, "a suffix is one or more digits"));
        stallMs = stallMs != null ? stallMs : 1000L;
        check(stallMs >= 0, "stallMs", stallMs, "must be >= 0");
        check(declineAtOrAbove == null || declineAtOrAbove >= 0, "declineAtOrAbove", declineAtOrAbove, "must be >= 0");
        check(isResponseCode(declineAtOrAboveCode), "declineAtOrAboveCode", declineAtOrAboveCode, "must be 2 characters");
        declineSuffixes.forEach((suffix, code) -> {
            check(!suffix.isEmpty() && suffix.chars().allMatch(Character::isDigit), "declineSuffixes." + suffix, code,
                    "a suffix is one or more digits");
            check(isResponseCode(code), "declineSuffixes." + suffix, code, "must be a 2-character response code");
        });
        balances.forEach((pan, amount) -> check(amount != null && amount >= 0,
                "balances." + CardData.maskPan(pan), amount, "must be >= 0"));
        declineSuffixes = Map.copyOf(declineSuffixes);
        balances = Map.copyOf(balances);
        check(latencyMs >= 0, "latencyMs", latencyMs, "must be >= 0");
        check(latencyJitterMs >= 0, "latencyJitterMs", latencyJitterMs, "must be >= 0");
        check(withholdRatio >= 0 && withholdRatio <= 1, "withholdRatio", withholdRatio, "must be between 0 and 1");
        check(lateAnswerMs >= 0, "lateAnswerMs", lateAnswerMs, "must be >= 0");
        check(dropConnectionAfter >= 0, "dropConnectionAfter", dropConnectionAfter, "must be >= 0 (0 = never)");
        check(ignoreReversals >= 0, "ignoreReversals", ignoreReversals, "must be >= 0");
    }

    /** 00, or 55 when {@code pins} names the card and its PIN block does not carry that PIN. */
    String pinCheck(String pan, byte[] pinBlock) {
        return pins == null ? "00" : pins.verdict(pan, pinBlock);
    }

    /** Whether a financial request of {@code amount} (field 4 as sent) is to be applied and never answered. */
    boolean withholds(String amount) {
        return endsWithAny(amount, withholdAmountSuffixes);
    }

    /** Whether a financial request of {@code amount} (field 4 as sent) stalls its connection for {@link #stallMs}. */
    boolean stalls(String amount) {
        return amount != null && endsWithAny(amount, stallAmountSuffixes);
    }

    private static boolean endsWithAny(String amount, List<String> suffixes) {
        for (String suffix : suffixes) {
            if (amount.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** A builder of rules that starts from {@link #approveAll()}: every setting left unset keeps its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Rules by name rather than by position (see the record's components for each meaning); null
     * leaves a setting at its default. Not thread-safe; {@link #build} checks the values.
     */
    public static final class Builder {
        private Long declineAtOrAbove;
        private String declineAtOrAboveCode;
        private Map<String, String> declineSuffixes;
        private Map<String, Long> balances;
        private Long latencyMs;
        private Long latencyJitterMs;
        private Double withholdRatio;
        private Long lateAnswerMs;
        private Integer dropConnectionAfter;
        private Boolean refuseConnections;
        private Integer ignoreReversals;
        private List<String> withholdAmountSuffixes;
        private Pins pins;
        private List<String> stallAmountSuffixes;
        private Long stallMs;

        private Builder() {}

        /** Debits of this amount (minor units) or more are declined. */
        public Builder declineAtOrAbove(Long declineAtOrAbove) {
            this.declineAtOrAbove = declineAtOrAbove;
            return this;
        }

        /** The response code of such debits (default 51). */
        public Builder declineAtOrAboveCode(String declineAtOrAboveCode) {
            this.declineAtOrAboveCode = declineAtOrAboveCode;
            return this;
        }

        /** PAN suffix → response code. */
        public Builder declineSuffixes(Map<String, String> declineSuffixes) {
            this.declineSuffixes = declineSuffixes;
            return this;
        }

        /** PAN → opening available balance (minor units). */
        public Builder balances(Map<String, Long> balances) {
            this.balances = balances;
            return this;
        }

        /** Fixed delay before every answer. */
        public Builder latencyMs(Long latencyMs) {
            this.latencyMs = latencyMs;
            return this;
        }

        /** A uniform random extra delay of 0..this before every answer. */
        public Builder latencyJitterMs(Long latencyJitterMs) {
            this.latencyJitterMs = latencyJitterMs;
            return this;
        }

        /** 0..1: the share of financial requests applied but never answered. */
        public Builder withholdRatio(Double withholdRatio) {
            this.withholdRatio = withholdRatio;
            return this;
        }

        /** Extra delay of financial answers. */
        public Builder lateAnswerMs(Long lateAnswerMs) {
            this.lateAnswerMs = lateAnswerMs;
            return this;
        }

        /** The Nth message on a connection is applied and the connection closed. */
        public Builder dropConnectionAfter(Integer dropConnectionAfter) {
            this.dropConnectionAfter = dropConnectionAfter;
            return this;
        }

        /** New connections are closed at once. */
        public Builder refuseConnections(Boolean refuseConnections) {
            this.refuseConnections = refuseConnections;
            return this;
        }

        /** The first N reversals are neither applied nor answered. */
        public Builder ignoreReversals(Integer ignoreReversals) {
            this.ignoreReversals = ignoreReversals;
            return this;
        }

        /** Financial requests whose amount ends with one of these are applied, never answered. */
        public Builder withholdAmountSuffixes(List<String> withholdAmountSuffixes) {
            this.withholdAmountSuffixes = withholdAmountSuffixes;
            return this;
        }

        /** Cards whose PIN the stub checks. */
        public Builder pins(Pins pins) {
            this.pins = pins;
            return this;
        }

        /** Financial requests whose amount ends with one of these stall their connection for {@link #stallMs}. */
        public Builder stallAmountSuffixes(List<String> stallAmountSuffixes) {
            this.stallAmountSuffixes = stallAmountSuffixes;
            return this;
        }

        /** How long such a request stalls its connection. */
        public Builder stallMs(Long stallMs) {
            this.stallMs = stallMs;
            return this;
        }

        /** @throws IllegalArgumentException naming the first value out of range, as {@code name=value: why} */
        public StubRules build() {
            return new StubRules(declineAtOrAbove, declineAtOrAboveCode, declineSuffixes, balances, latencyMs, latencyJitterMs,
                    withholdRatio, lateAnswerMs, dropConnectionAfter, refuseConnections, ignoreReversals, withholdAmountSuffixes, pins,
                    stallAmountSuffixes, stallMs);
        }
    }

    /** Approves everything, at once, with no faults. */
    public static StubRules approveAll() {
        return builder().build();
    }

    /**
     * Parses YAML or JSON; an empty document is {@link #approveAll()}.
     *
     * @throws ConfigException with {@code name=value: why} when the text is not valid rules
     */
    public static StubRules parse(String text) throws ConfigException {
        if (text == null || text.isBlank()) {
            return approveAll();
        }
        try {
            StubRules r = READER.readValue(text, StubRules.class);
            return r != null ? r : approveAll();
        } catch (JsonMappingException e) {
            throw new ConfigException(describe(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("rules: not valid YAML or JSON (" + e.getOriginalMessage() + ")");
        }
    }

    /**
     * Rules from their settings as a YAML mapping holds them (a {@code stubs[i].rules} of the switch's
     * configuration); null or empty is {@link #approveAll()}.
     *
     * @throws ConfigException with {@code name=value: why} when the settings are not valid rules
     */
    public static StubRules of(Map<String, ?> settings) throws ConfigException {
        if (settings == null || settings.isEmpty()) {
            return approveAll();
        }
        try {
            return READER.convertValue(settings, StubRules.class);
        } catch (IllegalArgumentException e) { // convertValue wraps the mapping failure
            if (e.getCause() instanceof JsonMappingException m) {
                throw new ConfigException(describe(m));
            }
            throw new ConfigException("rules: " + e.getMessage());
        }
    }

    /** Reads and parses one file. @throws ConfigException when it cannot be read or is not valid rules */
    public static StubRules load(Path file) throws ConfigException {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("rules=" + file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The response code for a debit of {@code amount} from {@code pan}; {@code available} null = unlimited. */
    String decideDebit(String pan, long amount, Long available) {
        String bySuffix = suffixCode(pan);
        if (bySuffix != null) {
            return bySuffix;
        }
        if (declineAtOrAbove != null && amount >= declineAtOrAbove) {
            return declineAtOrAboveCode;
        }
        if (available != null && available < amount) {
            return "51";
        }
        return "00";
    }

    /** The response code for a credit or balance inquiry on {@code pan}. */
    String decideNonDebit(String pan) {
        String bySuffix = suffixCode(pan);
        return bySuffix != null ? bySuffix : "00";
    }

    /** The opening balance of {@code pan}, or null when the card is unlimited. */
    Long openingBalance(String pan) {
        return balances.get(pan);
    }

    private String suffixCode(String pan) {
        String best = null;
        int bestLength = 0;
        for (Map.Entry<String, String> e : declineSuffixes.entrySet()) {
            if (e.getKey().length() > bestLength && pan.endsWith(e.getKey())) {
                best = e.getValue();
                bestLength = e.getKey().length();
            }
        }
        return best;
    }

    /** The same rules with the balances' PANs masked: what the HTTP API and logs show. */
    public Map<String, Object> toMaskedMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("declineAtOrAbove", declineAtOrAbove);
        m.put("declineAtOrAboveCode", declineAtOrAboveCode);
        m.put("declineSuffixes", new TreeMap<>(declineSuffixes));
        m.put("balances", balances.entrySet().stream().collect(Collectors.toMap(
                e -> CardData.maskPan(e.getKey()), Map.Entry::getValue, Long::sum, TreeMap::new)));
        m.put("latencyMs", latencyMs);
        m.put("latencyJitterMs", latencyJitterMs);
        m.put("withholdRatio", withholdRatio);
        m.put("lateAnswerMs", lateAnswerMs);
        m.put("dropConnectionAfter", dropConnectionAfter);
        m.put("refuseConnections", refuseConnections);
        m.put("ignoreReversals", ignoreReversals);
        m.put("withholdAmountSuffixes", withholdAmountSuffixes);
        m.put("stallAmountSuffixes", stallAmountSuffixes);
        m.put("stallMs", stallMs);
        if (pins != null) { // never the key or a PIN: the key's check value and how many cards
            byte[] kcv = Arrays.copyOf(PinBlocks.encryptUnder(
                    HexFormat.of().parseHex(pins.zoneKey()), new byte[8]), 3);
            m.put("pins", Map.of("zoneKeyKcv", HexFormat.of().withUpperCase().formatHex(kcv), "cards", pins.cards().size()));
        }
        return m;
    }

    @Override
    public String toString() {
        return "StubRules" + toMaskedMap();
    }

    private static boolean isResponseCode(String code) {
        return code != null && code.length() == 2;
    }

    private static void check(boolean ok, String name, Object value, String why) {
        if (!ok) {
            throw new IllegalArgumentException(name + "=" + value + ": " + why);
        }
    }

    private static String describe(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining()).replaceFirst("^\\.", "");
        if (e instanceof UnrecognizedPropertyException u) {
            return (path.isEmpty() ? "rules" : path) + ": unknown setting (known: " + u.getKnownPropertyIds() + ")";
        }
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException iae && iae.getMessage() != null) {
            return iae.getMessage();
        }
        return (path.isEmpty() ? "rules" : path) + ": " + e.getOriginalMessage();
    }
}
