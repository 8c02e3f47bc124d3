# Interop peer (Gearman::Client / Gearman::Worker).
#   worker HOST PORT FUNCTION          serve one job: reply "perl:" + the reversed payload
#   client HOST PORT FUNCTION PAYLOAD  submit in the foreground, print the result
use strict;
use warnings;
use Gearman::Client;
use Gearman::Worker;

my ($mode, $host, $port, $function, $payload) = @ARGV;
if ($mode eq 'worker') {
    my $worker = Gearman::Worker->new(job_servers => ["$host:$port"]);
    my $served = 0;
    $worker->register_function($function => sub { $served = 1; return 'perl:' . scalar reverse($_[0]->arg) });
    $worker->work(stop_if => sub { $served });
    exit 0;
}
my $client = Gearman::Client->new(job_servers => ["$host:$port"]);
my $result = $client->do_task($function, $payload);
defined $result or die "job failed\n";
print $$result;
