package io.acqswitch.security;

/**
 * The keys the switch holds, each stored under the LMK (docs/security.md). The jPOS
 * name selects the LMK pair (and so what the key may be used for) inside the security module.
 */
public enum KeyType {
    /** Terminal master key: encrypts the working keys sent at sign-on. Injected into the terminal. */
    TMK(Owner.TERMINAL, "TMK"),
    /** Terminal PIN key (PIK): the terminal's PIN blocks are encrypted under it. */
    TPK(Owner.TERMINAL, "TPK"),
    /** Terminal MAC key (MAK): the terminal's and the switch's MACs on that terminal's traffic. */
    TAK(Owner.TERMINAL, "TAK"),
    /** Terminal track data key (TDK), sent at a UnionPay sign-on with 60.3 = 004. */
    TDK(Owner.TERMINAL, "DEK"),
    /** Zone PIN key: PIN blocks travel to the issuer under it. */
    ZPK(Owner.ISSUER, "ZPK"),
    /** Zone MAC key: MACs on the issuer link (stored for it; the link does not MAC yet). */
    ZAK(Owner.ISSUER, "ZAK");

    /** Who a key belongs to: a terminal (field 41) or an issuer (its configuration id). */
    public enum Owner {
        TERMINAL("terminal"),
        ISSUER("issuer");

        private final String word;

        Owner(String word) {
            this.word = word;
        }

        /** {@code terminal} or {@code issuer}: the key store's and the CLI's word for it. */
        public String word() {
            return word;
        }
    }

    private final Owner owner;
    private final String jposType;

    KeyType(Owner owner, String jposType) {
        this.owner = owner;
        this.jposType = jposType;
    }

    public Owner owner() {
        return owner;
    }

    /** The key type name jPOS's security module uses ({@code SMAdapter.TYPE_*}). */
    String jposType() {
        return jposType;
    }
}
