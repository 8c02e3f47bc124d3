<?php
// Interop peer (php-gearman).
//   worker HOST PORT FUNCTION          serve one job: reply "php:" + the reversed payload
//   client HOST PORT FUNCTION PAYLOAD  submit in the foreground, print the result
[, $mode, $host, $port, $function] = $argv;
if ($mode === 'worker') {
    $worker = new GearmanWorker();
    $worker->addServer($host, (int)$port);
    $worker->addFunction($function, fn ($job) => 'php:' . strrev($job->workload()));
    exit($worker->work() ? 0 : 1);
}
$client = new GearmanClient();
$client->addServer($host, (int)$port);
$result = $client->doNormal($function, $argv[5]);
if ($client->returnCode() !== GEARMAN_SUCCESS) {
    fwrite(STDERR, $client->error() . "\n");
    exit(1);
}
echo $result;
