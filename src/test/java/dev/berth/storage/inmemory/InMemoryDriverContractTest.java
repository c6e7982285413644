package dev.berth.storage.inmemory;

import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageDriverContract;

class InMemoryDriverContractTest extends StorageDriverContract {
    private final StorageDriver driver = pathChecked(new InMemoryDriver());

    @Override
    protected StorageDriver driver() {
        return driver;
    }
}
