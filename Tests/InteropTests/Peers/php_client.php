<?php
// Gearman client built on the php-gearman extension (GearmanClient, libgearman underneath).
// Usage: php php_client.php HOST PORT SCENARIO ARGS...   (scenarios: see Peers/README.md)
// Prints one JSON object per line.
// addServer()'s third argument decides whether OPTION_REQ "exceptions" is sent.

function emit(array $obj): void
{
    echo json_encode($obj, JSON_UNESCAPED_SLASHES), "\n";
}

function connect(string $host, int $port, bool $exceptions): GearmanClient
{
    $client = new GearmanClient();
    $client->setTimeout(60000);
    if (!$client->addServer($host, $port, $exceptions)) {
        fwrite(STDERR, 'php_client: addServer: ' . $client->error() . "\n");
        exit(1);
    }
    return $client;
}

// Runs one foreground job as a task so that WORK_DATA, WORK_STATUS and WORK_EXCEPTION are seen.
function foreground(GearmanClient $client, string $func, string $payload, ?string $unique = null): array
{
    $result = ['result' => 'none', 'chunks' => [], 'statuses' => []];
    $client->setDataCallback(function (GearmanTask $t) use (&$result) {
        $result['chunks'][] = bin2hex($t->data());
    });
    $client->setStatusCallback(function (GearmanTask $t) use (&$result) {
        $result['statuses'][] = $t->taskNumerator() . '/' . $t->taskDenominator();
    });
    $client->setCompleteCallback(function (GearmanTask $t) use (&$result) {
        $result['result'] = 'complete';
        $result['data'] = bin2hex($t->data());
        $result['handle'] = $t->jobHandle();
    });
    $client->setFailCallback(function (GearmanTask $t) use (&$result) {
        $result['result'] = 'fail';
        $result['handle'] = $t->jobHandle();
    });
    $client->setExceptionCallback(function (GearmanTask $t) use (&$result) {
        $result['result'] = 'exception';
        $result['data'] = bin2hex($t->data());
        $result['handle'] = $t->jobHandle();
    });
    $client->addTask($func, $payload, null, $unique);
    if (!$client->runTasks()) {
        fwrite(STDERR, 'php_client: runTasks: ' . $client->error() . "\n");
        exit(1);
    }
    return $result;
}

function background(GearmanClient $client, string $func, string $payload, string $priority): string
{
    $handle = match ($priority) {
        'high' => $client->doHighBackground($func, $payload),
        'normal' => $client->doBackground($func, $payload),
        'low' => $client->doLowBackground($func, $payload),
    };
    if ($client->returnCode() != GEARMAN_SUCCESS) {
        fwrite(STDERR, 'php_client: submit: ' . $client->error() . "\n");
        exit(1);
    }
    return $handle;
}

function status_line(string $query, array $status): array
{
    [$known, $running, $numerator, $denominator] = $status;
    return ['query' => $query, 'known' => $known, 'running' => $running,
        'numerator' => $numerator, 'denominator' => $denominator];
}

[, $host, $port, $scenario] = $argv;
$args = array_slice($argv, 4);
$client = connect($host, (int)$port, $scenario === 'submit-exc');
switch ($scenario) {
    case 'submit':
    case 'submit-exc':
        emit(foreground($client, $args[0], hex2bin($args[1])));
        break;
    case 'unique':
        emit(foreground($client, $args[0], hex2bin($args[1]), $args[2]));
        break;
    case 'background':
        emit(['result' => 'created', 'handle' => background($client, $args[0], hex2bin($args[1]), $args[2])]);
        break;
    case 'priorities':
        foreach (['low1', 'normal1', 'high1', 'low2', 'normal2', 'high2'] as $tag) {
            background($client, 'record', "$args[0]|$tag", substr($tag, 0, -1));
        }
        emit(['result' => 'submitted', 'count' => 6]);
        break;
    case 'get-status':
        $handle = background($client, $args[0], hex2bin($args[1]), 'normal');
        emit(status_line('queued', $client->jobStatus($handle)));
        emit(status_line('unknown', $client->jobStatus('H:nosuchhost:999999')));
        break;
    case 'large':
        $size = (int)$args[0];
        $payload = '';
        for ($i = 0; $i < 251; $i++) {
            $payload .= chr($i);
        }
        $payload = substr(str_repeat($payload, intdiv($size, 251) + 1), 0, $size);
        $result = foreground($client, 'echo', $payload);
        $data = hex2bin($result['data'] ?? '');
        unset($result['data']);
        emit($result + ['size' => strlen($data), 'match' => $data === $payload]);
        break;
    default:
        fwrite(STDERR, "php_client: unknown scenario $scenario\n");
        exit(1);
}
