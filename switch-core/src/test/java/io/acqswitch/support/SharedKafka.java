package io.acqswitch.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link KafkaBroker} for all the tests of a class: started before the first, closed after the
 * last. Register it as a static field: {@code @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();}
 */
public final class SharedKafka implements BeforeAllCallback, AfterAllCallback {
    private KafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        broker = KafkaBroker.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
        }
    }

    /** The running broker. @throws IllegalStateException outside the class's tests */
    public KafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("no broker: register SharedKafka as a static @RegisterExtension field");
        }
        return broker;
    }
}
