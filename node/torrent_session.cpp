#include "node/torrent_session.hpp"

#include <libtorrent/alert.hpp>
#include <libtorrent/extensions/smart_ban.hpp>
#include <libtorrent/ip_filter.hpp>
#include <libtorrent/posix_disk_io.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/settings_pack.hpp>

namespace cascade::node {

std::unique_ptr<lt::session> make_torrent_session(const NodeConfig& config) {
  lt::settings_pack settings;
  const bool v6 = config.listen_address.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + config.listen_address + "]" : config.listen_address;
  settings.set_str(lt::settings_pack::listen_interfaces,
                   host + ":" + std::to_string(config.listen_port));
  settings.set_str(lt::settings_pack::outgoing_interfaces, config.listen_address);
  settings.set_str(lt::settings_pack::user_agent, "cascade-node");
  settings.set_str(lt::settings_pack::peer_fingerprint, "-CD0001-");

  // Peers come from the tracker alone.
  settings.set_bool(lt::settings_pack::enable_dht, false);
  settings.set_bool(lt::settings_pack::enable_lsd, false);
  settings.set_bool(lt::settings_pack::enable_upnp, false);
  settings.set_bool(lt::settings_pack::enable_natpmp, false);
  // uTP backs off on a LAN: on loopback, libtorrent 2.0.8 moved 200 MB in
  // about 20 s over uTP and 1.1 s over TCP.
  settings.set_bool(lt::settings_pack::enable_outgoing_utp, false);
  settings.set_bool(lt::settings_pack::enable_incoming_utp, false);
  settings.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);

  // Fail over quickly from a dead or hung relay, and retry peers and the
  // web seed within seconds rather than libtorrent's default minute.
  settings.set_int(lt::settings_pack::request_timeout, 10);
  settings.set_int(lt::settings_pack::peer_timeout, 20);
  settings.set_int(lt::settings_pack::min_reconnect_time, 1);
  settings.set_int(lt::settings_pack::urlseed_wait_retry, 5);
  settings.set_int(lt::settings_pack::connection_speed, 50);
  settings.set_int(lt::settings_pack::active_downloads, -1);
  settings.set_int(lt::settings_pack::active_seeds, -1);
  settings.set_int(lt::settings_pack::active_limit, -1);

  // Peer byte counts come from one alert per 16 KiB block: about 6,400 for
  // 100 MB, within a second or two on a LAN. libtorrent drops alerts past
  // the queue size, so the queue is sized well above that.
  settings.set_int(lt::settings_pack::alert_queue_size, 200000);
  settings.set_int(lt::settings_pack::alert_mask,
                   lt::alert_category::error | lt::alert_category::status |
                       lt::alert_category::storage | lt::alert_category::tracker |
                       lt::alert_category::peer | lt::alert_category::block_progress);

  // No default plugins, so no peer exchange even on a public torrent; the
  // smart-ban plugin is added back to ban peers that send corrupt blocks.
  lt::session_params params(std::move(settings), {});
  // The mmap back end of libtorrent 2.0.8 has a write-path bug fixed
  // upstream later; the POSIX back end does not take that path.
  params.disk_io_constructor = lt::posix_disk_io_constructor;
  auto session = std::make_unique<lt::session>(std::move(params));
  session->add_extension(&lt::create_smart_ban_plugin);
  if (config.upload_limit > 0) {
    // Peers on loopback and private addresses are in the local peer class,
    // which the session-wide limit does not cover, so both classes get it.
    for (auto peer_class : {lt::session::global_peer_class_id, lt::session::local_peer_class_id}) {
      auto info = session->get_peer_class(peer_class);
      info.upload_limit = config.upload_limit;
      session->set_peer_class(peer_class, info);
    }
  }
  return session;
}

void set_blocked_addresses(lt::session& session, const std::vector<std::string>& addresses) {
  lt::ip_filter filter;
  for (const auto& text : addresses) {
    boost::system::error_code error;
    auto address = boost::asio::ip::make_address(text, error);
    if (!error) {
      filter.add_rule(address, address, lt::ip_filter::blocked);
    }
  }
  session.set_ip_filter(std::move(filter));
}

}  // namespace cascade::node
