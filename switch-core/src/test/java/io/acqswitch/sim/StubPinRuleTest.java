package io.acqswitch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.ConfigException;
import io.acqswitch.security.PinBlocks;
import io.acqswitch.support.Hex;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stub's PIN rule: a listed card's PIN checked under the zone key; the key and PINs never shown. */
class StubPinRuleTest {
    private static final String ZPK = "C1C1C1C1C1C1C1C1D2D2D2D2D2D2D2D2";
    private static final String PAN = "4761739001010010";

    @Test
    void shouldAnswer55ForAWrongOrMissingPinOfAListedCardOnly() throws Exception {
        StubRules rules = StubRules.parse("pins:\n  zoneKey: " + ZPK + "\n  cards: {\"" + PAN + "\": \"1234\"}\n");
        byte[] right = PinBlocks.encryptUnder(Hex.bytes(ZPK), PinBlocks.format0("1234", PAN));
        byte[] wrong = PinBlocks.encryptUnder(Hex.bytes(ZPK), PinBlocks.format0("4321", PAN));
        assertEquals("00", rules.pinCheck(PAN, right));
        assertEquals("55", rules.pinCheck(PAN, wrong));
        assertEquals("55", rules.pinCheck(PAN, null), "a listed card without a PIN block");
        assertEquals("00", rules.pinCheck("4761739001010028", null), "cards not listed are not checked");
        assertEquals("00", StubRules.approveAll().pinCheck(PAN, wrong), "no pins: nothing checked");
    }

    @Test
    void shouldShowTheZoneKeysCheckValueOnlyAndRefuseABadKey() {
        StubRules rules = StubRules.builder().pins(new StubRules.Pins(ZPK, Map.of(PAN, "1234"))).build();
        String shown = rules.toString();
        assertFalse(shown.contains(ZPK) || shown.contains("1234") || shown.contains(PAN), shown);
        assertTrue(shown.contains("zoneKeyKcv"), shown);
        ConfigException e = assertThrows(ConfigException.class, () -> StubRules.parse("pins: {zoneKey: ABCD}"));
        assertTrue(e.getMessage().contains("pins.zoneKey=(hidden): 32 hex digits"), e.getMessage());
    }
}
