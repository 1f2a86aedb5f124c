package io.acqswitch.cli;

import io.acqswitch.SwitchNode;
import io.acqswitch.admin.AdminHttpServer;
import io.acqswitch.config.ConfigException;
import io.acqswitch.config.StartupException;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.acqswitch.net.TlsContexts;
import io.netty.handler.ssl.SslContext;

/**
 * The demo issuer stubs of the configuration's {@code stubs:} section (docs/issuer-stub.md): started
 * with the switch on its event loops, each with its HTTP API under {@code /stubs/<name>} of the
 * switch's HTTP endpoint. The command line wires them; the switch's own packages never import
 * {@code sim}. Started and closed by the node's thread ({@link SwitchNode.Companion}).
 */
public final class DemoStubs implements SwitchNode.Companion {
    private static final Logger LOG = LoggerFactory.getLogger(DemoStubs.class);

    private final List<SwitchConfig.Stub> configs;
    private final List<StubRules> rules = new ArrayList<>();
    private final List<IssuerStub> stubs = new ArrayList<>();

    /** @throws ConfigException naming the first rule that is not valid: {@code stubs[i].rules.name=value: why} */
    private DemoStubs(List<SwitchConfig.Stub> configs) throws ConfigException {
        this.configs = List.copyOf(configs);
        for (int i = 0; i < configs.size(); i++) {
            try {
                rules.add(StubRules.of(configs.get(i).rules()));
            } catch (ConfigException e) {
                String at = "stubs[" + i + "].rules.";
                throw new ConfigException(e.problems().stream().map(p -> at + p).toList());
            }
        }
    }

    /**
     * The switch as {@code run} starts it: a node of {@code cfg} with the stubs of its {@code stubs:}
     * section (none when the section is empty, as in production).
     *
     * @throws ConfigException when a stub's rules are not valid
     */
    public static SwitchNode node(SwitchConfig cfg) throws ConfigException {
        return cfg.stubs().isEmpty() ? new SwitchNode(cfg) : new SwitchNode(cfg, List.of(new DemoStubs(cfg.stubs())));
    }

    @Override
    public void start(EventLoopGroup boss, EventLoopGroup workers) throws StartupException, InterruptedException {
        // every stub's TLS context first: one that will not load stops start-up before any stub listens
        List<SslContext> tls = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            tls.add(TlsContexts.server(configs.get(i).tls(), "stubs[" + i + "].tls"));
        }
        for (int i = 0; i < configs.size(); i++) {
            SwitchConfig.Stub st = configs.get(i);
            try {
                stubs.add(new IssuerStub(st.name(), st.bind(), st.port(), rules.get(i)).withTls(tls.get(i)).start(boss, workers));
            } catch (IOException e) {
                throw StartupException.cannotListen("stubs[" + i + "]", st.bind(), st.port(), e);
            }
            LOG.info("embedded issuer stub {} on {}:{}", st.name(), st.bind(), stubs.getLast().port());
        }
    }

    @Override
    public void mount(AdminHttpServer http) {
        for (IssuerStub st : stubs) {
            st.mount(http, "/stubs/" + st.name());
        }
    }

    @Override
    public void close() {
        for (IssuerStub st : stubs) {
            st.close();
        }
    }
}
