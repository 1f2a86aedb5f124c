package io.acqswitch.net;

import io.acqswitch.iso.ResponseCode;
import org.jpos.iso.ISOMsg;

/** Network management codes (field 70) the switch answers for terminals without going to an issuer. */
final class NetworkManagement {
    static final String SIGN_ON = "001";
    static final String SIGN_OFF = "002";
    static final String ECHO = "301";

    private NetworkManagement() {}

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
}
