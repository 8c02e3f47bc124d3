<?php
// Gearman worker built on the php-gearman extension (GearmanWorker, libgearman underneath).
// Usage: php php_worker.php HOST PORT      Functions: see Peers/README.md.

const SLOW_SECONDS = 2;

$worker = new GearmanWorker();
$worker->setId('interop-php-worker');
$worker->addServer($argv[1], (int)$argv[2]);

$worker->addFunction('reverse', fn(GearmanJob $job) => strrev($job->workload()));
$worker->addFunction('echo', fn(GearmanJob $job) => $job->workload());
$worker->addFunction('fail', function (GearmanJob $job) {
    $job->sendFail();
    return null;
});
$worker->addFunction('exception', function (GearmanJob $job) {
    $job->sendException('boom');
    return null;
});
$worker->addFunction('status', function (GearmanJob $job) {
    $job->sendStatus(1, 2);
    $job->sendData('chunk1');
    $job->sendStatus(2, 2);
    $job->sendData('chunk2');
    return 'done';
});
$worker->addFunction('slow', function (GearmanJob $job) {
    sleep(SLOW_SECONDS);
    return bin2hex(random_bytes(8));
});
$worker->addFunction('record', function (GearmanJob $job) {
    [$path, $tag] = explode('|', $job->workload(), 2);
    file_put_contents($path, "$tag\n", FILE_APPEND);
    return 'ok';
});

while ($worker->work() || $worker->returnCode() == GEARMAN_TIMEOUT) {
}
fwrite(STDERR, 'php_worker: ' . $worker->error() . "\n");
exit(1);
