package io.acqswitch.net;

import io.acqswitch.iso.CupFields;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.security.KeyService.KeyLayout;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.jpos.iso.ISOMsg;

/**
 * Network management the switch answers for terminals without going to an issuer. iso87 names the
 * request in field 70; cup in 60.3 (docs/wire.md, "Network management (answered by the switch)"), and a cup sign-on answer carries the
 * terminal's batch (60, echoed: the terminal owns its batch numbering). Working keys (62) are added
 * by {@link SecurityHandler}, which answers sign-ons.
 */
final class NetworkManagement {
    static final String SIGN_ON = "001";
    static final String SIGN_OFF = "002";
    static final String ECHO = "301";
    /** cup sign-on with double-length keys, and with double-length keys plus a track key. */
    static final String SIGN_ON_DOUBLE = "003";
    static final String SIGN_ON_TRACK_KEY = "004";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("MMdd");

    private NetworkManagement() {}

    /** The answer to a terminal's 0800/0820 (0810/0830); never null (the MTI was classified). */
    static ISOMsg answer(TerminalRequest req) {
        return req.dialect() == Dialect.CUP ? cup(req.message()) : Responses.answer(req.message(), answerCode(req.message()));
    }

    /**
     * 00 for sign-on, sign-off and echo, and for an 0800 without field 70 (terminals of the Hypercom
     * family send their test message so); 12 (invalid transaction) for any other code.
     */
    static String answerCode(ISOMsg m) {
        return switch (m.getString(70)) {
            case null -> ResponseCode.APPROVED;
            case SIGN_ON, SIGN_OFF, ECHO -> ResponseCode.APPROVED;
            default -> ResponseCode.INVALID_TRANSACTION;
        };
    }

    /** cup: sign-on 001/003/004, sign-off 002 and echo 301 → 00; anything else → 12. */
    private static ISOMsg cup(ISOMsg m) {
        boolean known = switch (CupFields.networkCode(m)) {
            case SIGN_ON, SIGN_ON_DOUBLE, SIGN_ON_TRACK_KEY, SIGN_OFF, ECHO -> true;
            default -> false;
        };
        ISOMsg a = Responses.answer(m, known ? ResponseCode.APPROVED : ResponseCode.INVALID_TRANSACTION);
        LocalDateTime now = LocalDateTime.now();
        a.set(12, now.format(TIME));
        a.set(13, now.format(DATE));
        return a;
    }

    /**
     * The working-key layout a sign-on asks for (cup 60.3 = 001/003/004, iso87 0800 with 70 = 001),
     * or null when {@code req} is not a sign-on.
     */
    static KeyLayout signOnLayout(TerminalRequest req) {
        ISOMsg m = req.message();
        if (!"0800".equals(req.mti())) {
            return null;
        }
        if (req.dialect() == Dialect.ISO87) {
            return SIGN_ON.equals(m.getString(70)) ? KeyLayout.ISO87 : null;
        }
        return switch (CupFields.networkCode(m)) {
            case SIGN_ON -> KeyLayout.CUP_SINGLE;
            case SIGN_ON_DOUBLE -> KeyLayout.CUP_DOUBLE;
            case SIGN_ON_TRACK_KEY -> KeyLayout.CUP_TRACK;
            default -> null;
        };
    }
}
