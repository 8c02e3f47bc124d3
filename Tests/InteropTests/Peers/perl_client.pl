#!/usr/bin/perl
# Gearman client built on Gearman::Client (libgearman-client-perl).
# Usage: perl perl_client.pl HOST PORT SCENARIO ARGS...   (scenarios: see Peers/README.md)
# Prints one JSON object per line. Gearman::Client's `exceptions` option sends OPTION_REQ.
use strict;
use warnings;
use Gearman::Client;
use JSON::PP;

use constant TIMEOUT_SECONDS => 60;

my ($host, $port, $scenario, @args) = @ARGV;
my $json = JSON::PP->new->canonical;

sub emit { print $json->encode($_[0]), "\n" }

sub connect_client {
    my ($exceptions) = @_;
    return Gearman::Client->new(job_servers => ["$host:$port"], exceptions => $exceptions);
}

sub foreground {
    my ($client, $func, $payload, $unique) = @_;
    my %result = (result => 'none', chunks => [], statuses => []);
    my %opts = (
        timeout      => TIMEOUT_SECONDS,
        on_data      => sub { push @{ $result{chunks} }, unpack('H*', ${ $_[0] }) },
        on_status    => sub { push @{ $result{statuses} }, "$_[0]/$_[1]" },
        on_complete  => sub { %result = (%result, result => 'complete', data => unpack('H*', ${ $_[0] })) },
        on_fail      => sub { $result{result} = 'fail' if $result{result} eq 'none' },
        on_exception => sub { %result = (%result, result => 'exception', data => unpack('H*', $_[0])) },
    );
    $opts{uniq} = $unique if defined $unique;
    $client->do_task($func, \$payload, \%opts);
    return \%result;
}

sub background {
    my ($client, $func, $payload, $priority) = @_;
    my $handle = $client->dispatch_background($func, \$payload, { priority => $priority })
        or die "perl_client: background submit failed\n";
    return $handle;
}

sub server_handle { (split m{//}, $_[0])[-1] }

sub status_line {
    my ($query, $status) = @_;
    return {
        query       => $query,
        known       => $status->known ? JSON::PP::true : JSON::PP::false,
        running     => $status->running ? JSON::PP::true : JSON::PP::false,
        numerator   => 0 + ($status->[2] // 0),
        denominator => 0 + ($status->[3] // 0),
    };
}

my $client = connect_client($scenario eq 'submit-exc' ? 1 : 0);
if ($scenario eq 'submit' || $scenario eq 'submit-exc') {
    emit(foreground($client, $args[0], pack('H*', $args[1])));
} elsif ($scenario eq 'unique') {
    emit(foreground($client, $args[0], pack('H*', $args[1]), $args[2]));
} elsif ($scenario eq 'background') {
    my $handle = background($client, $args[0], pack('H*', $args[1]), $args[2]);
    emit({ result => 'created', handle => server_handle($handle) });
} elsif ($scenario eq 'priorities') {
    for my $tag (qw(low1 normal1 high1 low2 normal2 high2)) {
        background($client, 'record', "$args[0]|$tag", substr($tag, 0, -1));
    }
    emit({ result => 'submitted', count => 6 });
} elsif ($scenario eq 'get-status') {
    my $handle = background($client, $args[0], pack('H*', $args[1]), 'normal');
    emit(status_line('queued', $client->get_status($handle)));
    my ($server) = split m{//}, $handle;
    emit(status_line('unknown', $client->get_status("$server//H:nosuchhost:999999")));
} elsif ($scenario eq 'large') {
    my $size    = $args[0];
    my $pattern = join('', map { chr } 0 .. 250);
    my $payload = substr($pattern x (int($size / 251) + 1), 0, $size);
    my $result  = foreground($client, 'echo', $payload);
    my $data    = pack('H*', delete $result->{data} // '');
    $result->{size}  = length $data;
    $result->{match} = $data eq $payload ? JSON::PP::true : JSON::PP::false;
    emit($result);
} else {
    die "perl_client: unknown scenario $scenario\n";
}
