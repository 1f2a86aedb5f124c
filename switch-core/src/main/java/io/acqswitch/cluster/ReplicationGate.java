package io.acqswitch.cluster;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.net.Issuers;
import org.jpos.iso.ISOMsg;

/**
 * The issuer side as the processor sees it in a cluster: the real {@link Issuers}, whose
 * {@link #flush} (end of every ring batch: the moment held requests leave) first passes the
 * {@link Replication#barrier}. In sync mode a request therefore never reaches an issuer before
 * the change behind it is committed in Kafka; if the barrier fails it throws and the requests stay
 * held. Processor thread, like the gateway it wraps.
 */
public final class ReplicationGate implements Issuers {
    private final Issuers issuers;
    private final Replication replication;

    public ReplicationGate(Issuers issuers, Replication replication) {
        this.issuers = issuers;
        this.replication = replication;
    }

    /** @throws ReplicationException sync mode, when the batch's changes are not acknowledged */
    @Override
    public void flush() {
        replication.barrier();
        issuers.flush();
    }

    @Override
    public int issuerCount() {
        return issuers.issuerCount();
    }

    @Override
    public int indexOf(String issuerId) {
        return issuers.indexOf(issuerId);
    }

    @Override
    public SwitchConfig.Issuer issuer(int issuer) {
        return issuers.issuer(issuer);
    }

    @Override
    public int send(int issuer, ISOMsg request) {
        return issuers.send(issuer, request);
    }

    @Override
    public int sendAfter(int issuer, ISOMsg request, int link) {
        return issuers.sendAfter(issuer, request, link);
    }

    @Override
    public void abandon(int issuer, int link) {
        issuers.abandon(issuer, link);
    }

    @Override
    public int linksUp(int issuer) {
        return issuers.linksUp(issuer);
    }
}
