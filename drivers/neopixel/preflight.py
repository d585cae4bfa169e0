"""Checks made before any hardware is touched, each failing with the one line that says what to
do; and the choice the ``auto`` backend makes."""

from __future__ import annotations

from binclock.driver import DriverUnavailable
from binclock.drivers.neopixel.host import Host
from binclock.drivers.neopixel.options import SPI_PIN, NeoPixelOptions

PWM_CHANNEL = {12: 0, 18: 0, 13: 1, 19: 1}
PCM_PIN = 21
BCM_PINS = "18 or 12 (PWM0), 13 or 19 (PWM1), 21 (PCM) or 10 (SPI)"
SPIDEV = "spidev0.0"
EXTRA = "pip install 'binclock[neopixel]'"
CMDLINE_BUFSIZ = "add spidev.bufsiz=32768 to /boot/firmware/cmdline.txt and reboot"


def unavailable(text: str) -> DriverUnavailable:
    return DriverUnavailable(f"neopixel: {text}")


def not_a_pi(host: Host) -> DriverUnavailable:
    seen = f"the board is {host.model!r}" if host.model else "no /proc/device-tree/model"
    return unavailable(
        f"this is not a Raspberry Pi ({seen}); NeoPixels need a Pi's GPIO"
        " (try --driver terminal here)"
    )


def key(options: NeoPixelOptions, option: str) -> str:
    """``option`` as the configuration names it where ``options`` were read."""
    return options.key("neopixel", option)


def needs_root(backend: str, pin: int, options: NeoPixelOptions) -> DriverUnavailable:
    how = "PCM" if pin == PCM_PIN else "PWM"
    return unavailable(
        f"{backend} drives GPIO {pin} by {how} and DMA, which needs root (/dev/mem);"
        " run binclock as root (the systemd root drop-in), or wire the data line to GPIO 10"
        f' and set {key(options, "backend")} = "spi", which does not'
    )


def pwm_channel(pin: int) -> int:
    """The rpi_ws281x channel a pin belongs to: 1 for PWM1 (GPIO 13, 19), else 0."""
    return PWM_CHANNEL.get(pin, 0)


def ws281x_spi_bytes(leds: int, frequency: int) -> int:
    """Bytes rpi_ws281x sends per frame over SPI (three SPI bits per LED bit, 4 channels)."""
    bits = leds * 4 * 8 * 3 + 55 * frequency * 3 // 1_000_000
    return ((bits >> 3) & ~0x7) + 8


def neopixel_spi_bytes(leds: int, bpp: int, frequency: int) -> int:
    """Bytes neopixel_spi sends per frame: a byte per LED bit between two 80 us resets."""
    reset = round(8 * frequency * 80e-6 / 8)
    return 8 * leds * bpp + 2 * reset


def check_spidev(host: Host, transfer: int, leds: int) -> None:
    """SPI0 is enabled, ours to open, and takes a whole frame in one transfer."""
    if not host.has(SPIDEV):
        raise unavailable(
            f"SPI is not enabled ({host.device(SPIDEV)} is missing); enable it with"
            " `sudo raspi-config nonint do_spi 0` (or dtparam=spi=on in"
            " /boot/firmware/config.txt) and reboot"
        )
    if not host.may_open(SPIDEV):
        raise unavailable(
            f"no permission to open {host.device(SPIDEV)}; add the user to the spi group"
            " (sudo adduser $USER spi) and log in again"
        )
    if transfer > host.spidev_bufsiz:
        raise unavailable(
            f"{leds} LEDs need a {transfer}-byte SPI transfer but spidev takes at most"
            f" {host.spidev_bufsiz}; {CMDLINE_BUFSIZ}"
        )


def check_pi(host: Host) -> None:
    if not host.is_pi:
        raise not_a_pi(host)


def check_bcm(host: Host, backend: str, pin: int, options: NeoPixelOptions) -> None:
    """rpi_ws281x's pins and their needs (Blinka uses rpi_ws281x too on a Pi before the 5)."""
    if pin not in PWM_CHANNEL and pin not in (PCM_PIN, SPI_PIN):
        raise unavailable(
            f"GPIO {pin} cannot carry NeoPixel data with the {backend} backend on this Pi;"
            f" use GPIO {BCM_PINS}"
        )
    if pin == SPI_PIN:
        transfer = ws281x_spi_bytes(options.led_count, options.frequency)
        check_spidev(host, transfer, options.led_count)
    elif not host.may_open("mem"):
        raise needs_root(backend, pin, options)


def check_rpi_ws281x(host: Host, pin: int, options: NeoPixelOptions) -> None:
    check_pi(host)
    if host.is_pi5:
        raise unavailable(
            f"rpi_ws281x does not support the Raspberry Pi 5; set {key(options, 'backend')} ="
            ' "blinka" (any GPIO, through the PIO) or "spi" (GPIO 10)'
        )
    check_bcm(host, "rpi_ws281x", pin, options)
    if options.channel is not None and options.channel != pwm_channel(pin):
        raise unavailable(
            f"GPIO {pin} belongs to rpi_ws281x channel {pwm_channel(pin)}, not"
            f" {options.channel}; leave {key(options, 'channel')} unset"
        )


def check_blinka(host: Host, pin: int, options: NeoPixelOptions) -> None:
    check_pi(host)
    if options.frequency != 800000:
        raise unavailable(
            "the blinka backend sends at 800 kHz only; for 400 kHz LEDs set"
            f' {key(options, "backend")} = "rpi_ws281x" or "spi"'
        )
    if not host.is_pi5:
        check_bcm(host, "blinka", pin, options)
        return
    if not host.has("pio0"):
        raise unavailable(
            f"{host.device('pio0')} is missing, so this Pi 5 cannot drive NeoPixels through"
            " its PIO; update the system and firmware (sudo apt full-upgrade, then reboot),"
            f' or wire the data line to GPIO 10 and set {key(options, "backend")} = "spi"'
        )
    if not host.may_open("pio0"):
        raise unavailable(
            f"no permission to open {host.device('pio0')}; add the udev rule"
            ' SUBSYSTEM=="*-pio", GROUP="gpio", MODE="0660" to /etc/udev/rules.d/99-com.rules,'
            " join the gpio group and reboot"
        )


def check_spi(host: Host, pin: int, options: NeoPixelOptions) -> None:
    check_pi(host)
    if pin != SPI_PIN:
        raise unavailable(
            f"the spi backend sends on GPIO 10 (SPI0 MOSI), not GPIO {pin}; wire the data"
            f" line to GPIO 10 and set {key(options, 'pin')} = 10"
        )
    bpp = len(options.colour_order)
    transfer = neopixel_spi_bytes(options.led_count, bpp, options.frequency)
    check_spidev(host, transfer, options.led_count)


def choose(host: Host, options: NeoPixelOptions) -> tuple[str, str]:
    """The backend ``auto`` picks here, and why. It never moves the data pin: a strip wired
    to GPIO 18 stays on 18, and the error says what to change when that cannot work."""
    check_pi(host)
    pin = options.data_pin("auto")
    if pin == SPI_PIN:
        return "spi", "the data line is on GPIO 10 (SPI0 MOSI), which needs no root"
    if host.is_pi5:
        return "blinka", f"a Raspberry Pi 5 drives GPIO {pin} through its PIO"
    check_bcm(host, "rpi_ws281x", pin, options)
    return "rpi_ws281x", f"this process may use /dev/mem (root), so GPIO {pin} gets DMA"
