# SyTest homeserver for Ranvier: one `ranvier serve` per SyTest server, serving the client and
# the federation API over HTTPS on one port, with a certificate signed by SyTest's test CA.
#
# Start-up: `ranvier init` makes the signing key and the CA-signed certificate in hs_dir, this
# class writes the whole ranvier.yaml, then `ranvier serve` runs with NOTIFY_SOCKET and the
# server counts as started when it sends READY=1. The server's standard error goes to
# hs_dir/ranvier.log (written anew at each start).

use strict;
use warnings;

use Future;

package SyTest::Homeserver::Ranvier;
use base qw( SyTest::Homeserver );

use Carp;
use Cwd qw( abs_path );
use File::Spec;
use JSON::PP ();

# Settings SyTest hands over for which Ranvier has no configuration key yet. Tests that need
# them fail until the server grows the feature; the run log says why.
my %UNSUPPORTED_SETTINGS = (
   smtp_server_config       => "e-mail (3PID validation)",
   recaptcha_config         => "reCAPTCHA registration",
   cas_config               => "CAS login",
);

sub _init
{
   my $self = shift;
   my ( $args ) = @_;

   # Taken out before SUPER::_init: IO::Async::Notifier rejects unknown configure keys.
   $self->{binary} = delete $args->{binary};
   defined $self->{binary} or croak "Need a binary";

   $self->{paths} = {};

   $self->SUPER::_init( $args );

   my $idx = $self->{hs_index};
   $self->{ports} = {
      https => main::alloc_port( "ranvier[$idx]" ),
   };
}

sub server_name
{
   my $self = shift;
   return $self->{bind_host} . ":" . $self->secure_port;
}

sub http_api_host
{
   my $self = shift;
   return $self->{bind_host};
}

sub federation_host
{
   my $self = shift;
   return $self->{bind_host};
}

sub federation_port
{
   my $self = shift;
   return $self->secure_port;
}

sub secure_port
{
   my $self = shift;
   return $self->{ports}{https};
}

# There is no plain-HTTP listener: SyTest's default (TLS) uses secure_port.
sub unsecure_port
{
   return undef;
}

sub public_baseurl
{
   my $self = shift;
   return "https://$self->{bind_host}:" . $self->secure_port;
}

sub start
{
   my $self = shift;

   # SyTest starts the server with an environment of its own, without PATH.
   my $binary = $self->{binary} = _find_binary( $self->{binary} );
   -x $binary or return Future->fail(
      "Ranvier binary '$binary' is not executable: build it (tools/build.sh --target ranvier) " .
      "or give --ranvier-binary PATH / RANVIER_BINARY\n" );

   my ( $ca_cert, $ca_key ) = map { File::Spec->rel2abs( $_ ) } qw( keys/ca.crt keys/ca.key );
   -f $ca_cert && -f $ca_key or return Future->fail(
      "SyTest's CA ($ca_cert, $ca_key) is missing: run-tests.pl must run from the SyTest checkout\n" );

   my $database = eval { $self->_database_url } // return Future->fail( $@ );

   $self->_report_unsupported_settings;

   my $output = $self->{output};
   my $hs_dir = $self->{hs_dir};

   $output->diag( "Writing Ranvier keys and certificate in $hs_dir" );
   return $self->_run_command(
      command => [
         $binary, "init",
         "--server-name", $self->server_name,
         "--dir",         $hs_dir,
         "--registration", "open",
         "--tls-ca-cert", $ca_cert,
         "--tls-ca-key",  $ca_key,
      ],
   )->then( sub {
      $self->{paths}{config} = $self->write_yaml_file( "ranvier.yaml" => $self->_config( $database, $ca_cert ) );
      $self->{paths}{log} = "$hs_dir/ranvier.log";
      $self->_start_ranvier;
   });
}

# The complete configuration: everything SyTest relies on is stated, not left to defaults.
sub _config
{
   my $self = shift;
   my ( $database, $ca_cert ) = @_;

   my $host = $self->{bind_host};
   $host = "[$host]" if $host =~ m/:/;   # IPv6 literal

   return {
      server_name => $self->server_name,
      database    => $database,
      signing_key => "signing.key",
      listeners   => [ {
         bind      => "$host:" . $self->secure_port,
         tls       => JSON::PP::true,
         resources => [ "client", "federation" ],
      } ],
      tls => {
         certificate => "tls.crt",
         private_key => "tls.key",
      },
      registration => {
         mode          => "open",
         shared_secret => "reg_secret",
      },
      rate_limits => {
         enabled => JSON::PP::false,
      },
      # Argon2id at its cheapest: SyTest registers hundreds of users.
      password_hashing => {
         memory_kib => 8,
         iterations => 1,
      },
      log => {
         requests => JSON::PP::true,
      },
      # The application service registrations SyTest wrote (as Synapse's
      # app_service_config_files); absolute, since Ranvier resolves relative paths against
      # hs_dir and SyTest's are relative to its own working directory.
      app_services => [
         map { File::Spec->rel2abs( $_ ) } @{ $self->{app_service_config_files} // [] }
      ],
      # Outbound HTTPS (other SyTest servers, SyTest's fake application services) presents
      # certificates of SyTest's CA.
      federation => {
         ca_file => $ca_cert,
      },
   };
}

# Reads hs_dir/database.yaml (SyTest's format; written with the SQLite default when absent),
# lets SyTest clear that database, and returns Ranvier's database URL for it.
sub _database_url
{
   my $self = shift;
   my $hs_dir = $self->{hs_dir};

   my %db = $self->_get_dbconfig(
      type => "sqlite",
      args => { database => "$hs_dir/ranvier.db" },
   );
   my $args = $db{args} // {};

   if( $db{type} eq "sqlite" ) {
      # Relative paths in database.yaml are relative to the server's directory, as Ranvier
      # resolves them against its configuration file.
      my $path = File::Spec->rel2abs( $args->{database}, $hs_dir );
      # SyTest removes the database file itself; WAL mode leaves two companions.
      unlink "$path$_" for "", "-wal", "-shm";
      return "sqlite://$path";
   }

   # pg: libpq's URL form; a host starting with "/" is a Unix socket directory.
   my $user = defined $args->{user} ? _uri_escape( $args->{user} ) : "";
   $user .= ":" . _uri_escape( $args->{password} ) if defined $args->{password};
   $user .= "@" if length $user;

   my $host = $args->{host} // "";
   my $query = "";
   if( $host =~ m{^/} ) {
      $query = "?host=" . _uri_escape( $host );
      $host = "";
   }
   $host .= ":$args->{port}" if length $host and defined $args->{port};
   $query .= ( length $query ? "&" : "?" ) . "port=$args->{port}"
      if !length $host and defined $args->{port};

   return "postgresql://$user$host/" . _uri_escape( $args->{database} ) . $query;
}

sub _uri_escape
{
   my ( $text ) = @_;
   $text =~ s/([^A-Za-z0-9\-._~])/sprintf( "%%%02X", ord $1 )/ge;
   return $text;
}

sub _report_unsupported_settings
{
   my $self = shift;

   foreach my $key ( sort keys %UNSUPPORTED_SETTINGS ) {
      my $value = $self->{$key};
      next unless defined $value;
      next if ref $value eq "ARRAY" and !@$value;
      $self->{output}->diag(
         "Ranvier has no setting for $UNSUPPORTED_SETTINGS{$key} yet; ignoring $key" );
   }
}

sub _start_ranvier
{
   my $self = shift;

   my $output = $self->{output};
   my $idx = $self->{hs_index};
   my $log = $self->{paths}{log};

   # `exec` keeps the server's pid, so SyTest's SIGINT reaches it directly.
   my @command = (
      "/bin/sh", "-c", 'exec "$0" serve --config "$1" 2>"$2"',
      $self->{binary}, $self->{paths}{config}, $log,
   );
   $output->diag( "Starting ranvier-$idx: $self->{binary} serve --config $self->{paths}{config}" );

   # SyTest before sd_notify support only knows how to poll the port.
   my $started = $self->can( "_start_process_and_await_notify" )
      ? $self->_start_process_and_await_notify( command => \@command )
      : $self->_start_process_and_await_connectable(
           command      => \@command,
           connect_host => $self->{bind_host},
           connect_port => $self->secure_port,
        );

   return $started->else( sub {
      my ( $failure ) = @_;
      Future->fail( "Unable to start ranvier-$idx: $failure\n" . _tail( $log, 15 ) );
   })->on_done( sub {
      $output->diag( "Started ranvier-$idx on " . $self->public_baseurl );
   });
}

# An absolute path for NAME: as given when it contains a slash, else searched in PATH.
sub _find_binary
{
   my ( $name ) = @_;

   return File::Spec->rel2abs( $name ) if $name =~ m{/};
   foreach my $dir ( File::Spec->path ) {
      my $candidate = File::Spec->catfile( $dir, $name );
      return $candidate if -x $candidate;
   }
   return $name;
}

# The last lines of a file, to explain a failed start.
sub _tail
{
   my ( $path, $count ) = @_;

   open my $fh, "<", $path or return "(no $path)\n";
   my @lines = <$fh>;
   close $fh;
   splice @lines, 0, @lines - $count if @lines > $count;
   return join "", "last lines of $path:\n", @lines;
}

1;
