package io.acqswitch.iso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.acqswitch.sim.TerminalMessages;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** A card number is 12 to 19 digits (ISO/IEC 7812), in field 2 or, failing that, before track 2's separator. */
class ValidatorTest {
    private static Validator.Problem checkSale(String pan) {
        ISOMsg m = TerminalMessages.sale(pan, 1000, "000001", "TERM0001", "MERCHANT0000001");
        return Validator.check(m, Classifier.classify(m, Dialect.ISO87), Dialect.ISO87);
    }

    private static Validator.Problem checkTrack2Sale(String track2) {
        ISOMsg m = TerminalMessages.sale("4761739001010010", 1000, "000001", "TERM0001", "MERCHANT0000001");
        m.unset(2);
        m.set(35, track2);
        return Validator.check(m, Classifier.classify(m, Dialect.ISO87), Dialect.ISO87);
    }

    @Test
    void shouldRejectAPanShorterThan12DigitsAsBadPanLength() {
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 2), checkSale("1234"));
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 2), checkSale("47617390010"));
    }

    @Test
    void shouldRejectAPanLongerThan19DigitsAsBadPanLength() {
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 2), checkSale("47617390010100101234"));
    }

    @Test
    void shouldAcceptPansOf12To19Digits() {
        assertNull(checkSale("476173900101"));
        assertNull(checkSale("4761739001010010"));
        assertNull(checkSale("6222020000000000123"));
    }

    @Test
    void shouldCheckTheTrack2PanWhenField2IsAbsent() {
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 35), checkTrack2Sale("1234=29122011234500000"));
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 35), checkTrack2Sale("=29122011234500000"));
        assertNull(checkTrack2Sale("4761739001010010=29122011234500000"));
        assertNull(checkTrack2Sale("4761739001010010D29122011234500000"));
    }

    @Test
    void shouldRejectATrack2PanOf20OrMoreDigitsBeforeItsSeparator() {
        // its masked PAN (20 to 23 characters) did not fit the journal's masked_pan VARCHAR(19)
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 35), checkTrack2Sale("47617390010100101234=2912201123450"));
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 35), checkTrack2Sale("47617390010100101234567D2912201"));
        assertNull(checkTrack2Sale("4761739001010010123=2912201123450"), "19 digits is a PAN");
    }

    @Test
    void shouldRejectATrack2WithoutSeparatorWhoseDigitsAreNoPan() {
        // no separator: every digit is taken for the PAN
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 35), checkTrack2Sale("47617390010100101234"));
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 35), checkTrack2Sale("47617390010100101234567"));
        assertEquals(new Validator.Problem(Malformation.BAD_PAN_LENGTH, 35), checkTrack2Sale("4761739001010010291220112345000"));
    }

    @Test
    void shouldReportNonDigitsInField2AsNonNumericBeforeLength() {
        assertEquals(new Validator.Problem(Malformation.NON_NUMERIC_FIELD, 2), checkSale("4761X"));
    }
}
