package io.acqswitch.security;

/** The MAC algorithms a terminal dialect uses (docs/security.md). */
public enum MacAlgorithm {
    /** ANSI X9.19 retail MAC (ISO 9797-1 algorithm 3, padding 1), double-length key: iso87 terminals. */
    X9_19,
    /** UnionPay POS MAC (XOR blocks, hex, DES twice; 8 ASCII hex characters), single-length key: cup terminals. */
    UNIONPAY_POS
}
