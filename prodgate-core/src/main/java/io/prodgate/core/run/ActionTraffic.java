package io.prodgate.core.run;

import io.prodgate.core.action.Action;
import io.prodgate.core.action.ActionRecord;
import io.prodgate.core.action.ActionRunner;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.SecretSet;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.http.HttpProbe;
import io.prodgate.core.secret.Secret;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** The gate file's {@code canary.traffic.set}, run with the step's weight in percent as {@code ${weight}}. */
final class ActionTraffic implements TrafficControl {
    private final Action action;
    private final GateFile file;
    private final Clock clock;
    private final SecretSet secrets;
    private final Map<String, Secret> headers;

    /**
     * @throws GateFileException before anything runs, when a secret header's variable is unset (the gate-file reader
     *                           has made sure the URL is absolute)
     */
    ActionTraffic(Action action, GateFile file, RunContext context) throws GateFileException {
        this.action = action;
        this.file = file;
        this.clock = context.clock();
        this.secrets = new SecretSet(file.name(), context.env(), file.baseDir());
        try (HttpProbe probe = new HttpProbe(secrets)) {
            this.headers = new ActionRunner(clock, file.baseDir(), secrets, probe, Optional.empty()).resolve(action);
        }
    }

    @Override
    public String setWeight(double weight) {
        Action withWeight = action.withVariables(Map.of(GateFileLoader.TRAFFIC_WEIGHT,
                TrafficControl.percent(weight)));
        ActionRecord record;
        try (HttpProbe probe = new HttpProbe(secrets)) {
            record = new ActionRunner(clock, file.baseDir(), secrets, probe, Optional.empty()).run(withWeight, headers);
        }
        if (!record.succeeded()) {
            throw new IllegalStateException(record.message());
        }
        return record.message();
    }
}
