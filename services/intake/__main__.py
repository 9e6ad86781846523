from services.intake.main import service

service.run()
