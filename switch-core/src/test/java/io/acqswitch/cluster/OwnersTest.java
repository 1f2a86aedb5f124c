package io.acqswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** A node's peer address travels in its owners' group membership ({@code client.id}) and is read back from there. */
class OwnersTest {
    @Test
    void shouldCarryThePeerAddressInTheClientId() {
        assertEquals("acqswitch-owner-3@10.0.0.3:7700", Owners.clientId(3, "10.0.0.3:7700"));
        assertEquals("10.0.0.3:7700", Owners.peerAddress(Owners.clientId(3, "10.0.0.3:7700")));
    }

    @Test
    void shouldFindNoAddressForANodeWithoutPeerListenOrAnotherClient() {
        assertEquals("acqswitch-owner-3", Owners.clientId(3, null));
        assertNull(Owners.peerAddress(Owners.clientId(3, null)));
        assertNull(Owners.peerAddress("console-consumer@somewhere:1"), "not a switch node");
    }
}
